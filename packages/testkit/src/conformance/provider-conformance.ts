import {
  AuthError,
  EXIT_CODES,
  createMemoryStore,
  exitCodeFor,
  getToken,
  login,
  loginBasic,
  resolveProfile,
  type AuthctlConfig,
  type Interaction,
  type InteractionEvent,
  type LoginFlowId,
  type Provider,
  type ResolvedProfile,
  type SessionContext,
} from '@auth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testkitIdP, type ConformanceIdP, type DeviceCodeShown, type TestkitConformanceIdP } from './conformance-idp.js';
import { closedPort, recordingFetch, tokenErrorFetch, unreachableFetch } from './fetch-rewrites.js';

/** The optional parts of a `Provider` (v1) a manifest declares. */
export const PROVIDER_CAPABILITIES = ['oauth', 'basic', 'admin', 'proof', 'verify', 'gateway'] as const;
export type ProviderCapabilityName = (typeof PROVIDER_CAPABILITIES)[number];

/** The flows the suite runs against the IdP through core's `login` and `getToken`. */
export const CONFORMANCE_FLOWS = ['browser', 'device', 'client-credentials', 'refresh'] as const;
export type ConformanceFlow = (typeof CONFORMANCE_FLOWS)[number];

/** What a provider claims; the suite checks the claims and runs what they imply. */
export interface ProviderManifest<I extends ConformanceIdP = TestkitConformanceIdP> {
  /** Exactly the optional capabilities the provider has (`oauth`, `basic`, `admin`, `proof`, `verify`, `gateway`). */
  capabilities: readonly ProviderCapabilityName[];
  /**
   * A valid profile (the provider's keys and any common ones) that points the
   * provider at the running IdP, e.g. `(idp) => ({ issuer: idp.issuer, client_id: 'authctl' })`.
   * A provider that talks to no IdP ignores `idp`.
   */
  settings: (idp: I) => Record<string, unknown>;
  /** How the `oauth` capability finds the authorization server: RFC 8414 / OIDC discovery, or endpoints from the profile alone. */
  server?: 'discovery' | 'endpoints';
  /** The flows that complete against the IdP with these settings. `refresh` needs a browser or device login to refresh. */
  flows?: readonly ConformanceFlow[];
  /**
   * For `client-credentials`: profile keys to add (e.g. `{ client_id: 'svc' }`) and the client's secret at the IdP;
   * no secret for a client that authenticates otherwise (a certificate or federated assertion in its settings).
   */
  serviceAccount?: (idp: I) => { settings?: Record<string, unknown>; secret?: string };
  /**
   * For `verify`: an identity's binding per login method, as auth-server's
   * config would hold it (`{ 'gcp-auth': { type: 'iam', allowed_service_accounts: [...] } }`).
   * A method left out is verified with the binding its schema makes of `{}`.
   */
  bindings?: Readonly<Record<string, Record<string, unknown>>>;
}

export interface ProviderConformanceOptions<I extends ConformanceIdP = TestkitConformanceIdP> {
  /** A provider instance, as the package exports it (`createX(options)` or its default instance). */
  provider: () => Provider<any>;
  manifest: ProviderManifest<I>;
  /** The IdP to run flows against; default: the testkit's in-process OpenID provider, started and closed by the suite. */
  idp?: () => Promise<I>;
}

const PROFILE = 'conformance';
const HOME = '/conformance/.config/authctl';
const FILE = `${HOME}/config.toml`;
const KEY = (key: string) => `profiles.${PROFILE}.${key}`;
/** A password the basic-login checks hand over; no error may repeat it. */
const BASIC_PASSWORD = 'conformance-password-never-shown';

function config(provider: Provider<any>, settings: Record<string, unknown>): AuthctlConfig {
  return {
    home: HOME,
    file: FILE,
    exists: true,
    store: { backend: 'file', path: `${HOME}/state` },
    profiles: { [PROFILE]: { provider: provider.id, ...settings } },
  };
}

/** A value of another type than `value`, which no schema that accepted `value` should also accept. */
function wrongTyped(value: unknown): unknown {
  if (typeof value === 'string') return 12345;
  if (typeof value === 'number') return 'not-a-number';
  if (typeof value === 'boolean') return 'yes';
  if (Array.isArray(value)) return 'not-a-list';
  return ['not', 'a', 'table'];
}

/** A person who answers nothing and acts on what a login shows: each device code, or each URL to open. */
function person(act: { onDevice?: (shown: DeviceCodeShown) => Promise<void>; onOpen?: (url: string) => Promise<void> }) {
  const events: InteractionEvent[] = [];
  const failures: unknown[] = [];
  const pending: Promise<void>[] = [];
  // The person's own failures (a page that did not load) are kept for `settled`, never left unhandled.
  const track = (action: Promise<void>) => pending.push(action.catch((error: unknown) => void failures.push(error)));
  const interaction: Interaction = {
    print: () => {},
    progress: () => {},
    prompt: async () => '',
    promptSecret: async () => '',
    openUrl: async (url) => {
      if (act.onOpen === undefined) return false;
      track(act.onOpen(url));
      return true;
    },
    emit(event) {
      events.push(event);
      if (event.event === 'device_code' && act.onDevice !== undefined) track(act.onDevice(event as unknown as DeviceCodeShown));
    },
  };
  const settled = async () => {
    await Promise.all(pending);
    if (failures.length > 0) throw failures[0];
  };
  return { interaction, events, settled };
}

/**
 * The conformance suite of a provider plugin (contracts v1): identity and
 * capabilities as declared; the options schema accepting the manifest's
 * settings and refusing wrong values with readable, located issues; the
 * authorization server resolved as declared; each declared flow completed
 * against a real IdP through core's `login` and `getToken`; OAuth errors,
 * the provider's `errorAliases` and network failures mapped to AuthError
 * codes and exit codes. Parts that do not apply to the provider's
 * capabilities are named in the test list, not skipped.
 */
export function describeProviderConformance<I extends ConformanceIdP = TestkitConformanceIdP>(options: ProviderConformanceOptions<I>): void {
  const { manifest } = options;
  const provider = options.provider();
  const startIdP = options.idp ?? (testkitIdP as unknown as () => Promise<I>);
  const flows = manifest.flows ?? [];
  const declares = (capability: ProviderCapabilityName) => manifest.capabilities.includes(capability);

  describe(`${provider.id} provider: conformance${manifest.server === undefined ? '' : ` (${manifest.server})`}`, () => {
    let idp: I;
    beforeAll(async () => {
      idp = await startIdP();
    });
    afterAll(() => idp?.close());

    const settings = () => manifest.settings(idp);
    const profileOf = (extra: Record<string, unknown> = {}): ResolvedProfile => resolveProfile(config(provider, { ...settings(), ...extra }), PROFILE, provider);

    it('declares specification v1, an id a profile can name, and a name', () => {
      expect(provider.specificationVersion).toBe('v1');
      expect(provider.id).toMatch(/^[a-z0-9][a-z0-9-]*$/);
      expect(provider.name.trim()).not.toBe('');
    });

    it(`has exactly the capabilities its manifest declares (${manifest.capabilities.join(', ') || 'none'}), each of specification v1`, () => {
      const present = PROVIDER_CAPABILITIES.filter((name) => provider[name] !== undefined);
      expect(present).toEqual(PROVIDER_CAPABILITIES.filter(declares));
      for (const name of present) expect(provider[name]?.specificationVersion, `${name}.specificationVersion`).toBe('v1');
    });

    describe('options', () => {
      it("the options schema accepts the manifest's settings", () => {
        const profile = profileOf();
        expect(profile.settings.provider).toBe(provider.id);
        for (const [key, value] of Object.entries(settings())) expect(profile.settings[key], key).toEqual(value);
      });

      it('each setting of the wrong type is refused with CONFIG_INVALID naming profiles.NAME.KEY, in words (exit 2)', () => {
        const entries = Object.entries(settings());
        expect(entries.length, 'the manifest settings name at least one key').toBeGreaterThan(0);
        for (const [key, value] of entries) {
          const error = (() => {
            try {
              profileOf({ [key]: wrongTyped(value) });
            } catch (e) {
              return e;
            }
            throw new Error(`${key} = ${JSON.stringify(wrongTyped(value))} was accepted`);
          })();
          expect(AuthError.is(error) && error.code, key).toBe('CONFIG_INVALID');
          expect((error as AuthError).details).toMatchObject({ file: FILE, profile: PROFILE });
          expect((error as AuthError).details.key, key).toMatch(new RegExp(`^${KEY(key).replace(/\./g, '\\.')}(\\.|$)`));
          expect((error as Error).message, key).toContain(key);
          // Readable: a sentence, not a dump of the schema library's issue objects.
          expect((error as Error).message, key).not.toMatch(/^\s*[[{]|\[object Object\]|"code":/);
          expect(exitCodeFor(error)).toBe(2);
        }
      });

      it('an unknown key is refused with CONFIG_INVALID naming it', () => {
        expect(() => profileOf({ no_such_conformance_key: 'x' })).toThrow(
          expect.objectContaining({ code: 'CONFIG_INVALID', details: expect.objectContaining({ key: KEY('no_such_conformance_key') }) }),
        );
      });
    });

    if (declares('oauth')) {
      describeOAuth();
    } else {
      it(`has no OAuth capability, so server resolution, flows and OAuth error mapping do not apply (manifest: ${manifest.capabilities.join(', ') || 'none'})`, () => {
        expect(provider.oauth).toBeUndefined();
        expect(manifest.flows ?? []).toEqual([]);
      });
    }

    if (declares('basic')) describeBasic();
    if (declares('proof')) {
      it('proof: names the --method values it proves, in kebab case', () => {
        expect(provider.proof?.methods.length ?? 0, 'proof.methods').toBeGreaterThan(0);
        for (const method of provider.proof?.methods ?? []) expect(method).toMatch(/^[a-z0-9][a-z0-9-]*$/);
        expect(typeof provider.proof?.prove).toBe('function');
      });

      it('proof: away from its platform (no credentials in the environment, nothing reachable) each method fails with an AuthError saying what is missing, not INTERNAL', async () => {
        const fetchNothing = unreachableFetch(await closedPort());
        for (const method of provider.proof?.methods ?? []) {
          const error = await provider
            .proof!.prove({
              method,
              settings: profileOf().settings,
              profile: PROFILE,
              file: FILE,
              identityId: 'conformance-identity',
              loginUrl: 'http://127.0.0.1:8080/api',
              options: {},
              env: { HOME: '/nonexistent' },
              io: { fetch: fetchNothing, signal: new AbortController().signal, timeoutMs: 5000, allowInsecureHttp: true, env: { HOME: '/nonexistent' } },
            })
            .catch((e: unknown) => e);
          expect(AuthError.is(error), `${method}: ${String(error)}`).toBe(true);
          expect((error as AuthError).code, `${method}: ${String(error)}`).not.toBe('INTERNAL');
          expect([2, 3, 4, 5], method).toContain(exitCodeFor(error));
        }
      });
    }
    if (declares('verify')) {
      it('verify: names its login methods, each with a binding schema', () => {
        expect(provider.verify?.loginMethods.length ?? 0, 'verify.loginMethods').toBeGreaterThan(0);
        for (const method of provider.verify?.loginMethods ?? []) {
          expect(method).toMatch(/^[a-z0-9][a-z0-9-]*$/);
          expect(typeof provider.verify?.bindingSchema(method).safeParse, method).toBe('function');
        }
      });

      it("verify: the manifest's bindings pass each method's binding schema", () => {
        for (const loginMethod of provider.verify?.loginMethods ?? []) {
          const parsed = provider.verify!.bindingSchema(loginMethod).safeParse(manifest.bindings?.[loginMethod] ?? {});
          expect(parsed.success, `${loginMethod}: ${parsed.error?.message ?? ''} (give one in the manifest's bindings)`).toBe(true);
        }
      });

      it('verify: a login body with no proof is refused with an AuthError (USAGE or ACCESS_DENIED), never a crash', async () => {
        for (const loginMethod of provider.verify?.loginMethods ?? []) {
          const binding = provider.verify!.bindingSchema(loginMethod).parse(manifest.bindings?.[loginMethod] ?? {});
          const error = await provider
            .verify!.verify({
              loginMethod,
              body: {},
              identityId: 'conformance-identity',
              binding,
              io: { fetch: unreachableFetch(await closedPort()), signal: new AbortController().signal, timeoutMs: 5000 },
              now: () => Math.floor(Date.now() / 1000),
            })
            .catch((e: unknown) => e);
          expect(AuthError.is(error), `${loginMethod}: ${String(error)}`).toBe(true);
          expect(['USAGE', 'ACCESS_DENIED'], loginMethod).toContain((error as AuthError).code);
        }
      });
    }
    if (declares('admin')) {
      it('admin: declares at least one command (run describeAdminConformance for the commands themselves)', () => {
        expect(provider.admin?.commands.length ?? 0, 'admin.commands').toBeGreaterThan(0);
      });
    }

    function describeOAuth(): void {
      const session = (interaction: Interaction, extra: Record<string, unknown> = {}, rest: Partial<SessionContext> = {}): SessionContext => ({
        profile: profileOf(extra),
        provider,
        store: createMemoryStore(),
        interaction,
        ...rest,
      });
      const serviceAccount = () => {
        if (manifest.serviceAccount === undefined) throw new Error('the manifest declares client-credentials but no serviceAccount');
        return manifest.serviceAccount(idp);
      };
      /** The person of a device login approves its code; the person of a browser login signs in at the opened URL. */
      const approving = (flow: 'device' | 'browser') =>
        flow === 'device' ? person({ onDevice: (shown) => needs('approveDevice')(shown) }) : person({ onOpen: (url) => browse(url) });
      /** What the IdP's person does for a declared flow; an IdP without it cannot run that flow. */
      function needs<K extends 'approveDevice' | 'denyDevice' | 'authorize'>(action: K): NonNullable<ConformanceIdP[K]> {
        const act = idp[action];
        if (act === undefined) throw new Error(`the manifest declares a flow that needs ConformanceIdP.${action}, which this IdP does not offer`);
        return act.bind(idp) as NonNullable<ConformanceIdP[K]>;
      }
      /** The person signs in at the URL, and their browser follows the IdP's redirect to the loopback callback. */
      async function browse(url: string): Promise<void> {
        const redirectUri = new URL(url).searchParams.get('redirect_uri') ?? '';
        const callback = await needs('authorize')(url, redirectUri);
        if (callback !== undefined) await (await fetch(callback)).arrayBuffer();
      }
      /** A login by the first declared flow that needs nobody, else one a person completes. */
      const primary: LoginFlowId | undefined = flows.includes('client-credentials')
        ? 'client-credentials'
        : flows.includes('device')
          ? 'device'
          : flows.includes('browser')
            ? 'browser'
            : undefined;
      /** A session for `flow`: a service account's settings and secret for client credentials, the manifest's settings otherwise. */
      const flowSession = (flow: LoginFlowId, interaction: Interaction, rest: Partial<SessionContext> = {}) => {
        if (flow !== 'client-credentials') return session(interaction, {}, rest);
        const { settings: extra = {}, secret } = serviceAccount();
        return session(interaction, extra, { ...(secret === undefined ? {} : { secrets: { clientSecret: async () => secret } }), ...rest });
      };
      const primarySession = (interaction: Interaction, rest: Partial<SessionContext> = {}) => flowSession(primary!, interaction, rest);

      it(`resolves its authorization server by ${manifest.server === 'endpoints' ? 'the endpoints in the profile, with no discovery request' : 'discovery'}`, async () => {
        expect(manifest.server, 'the manifest says how the server is found (server: discovery | endpoints)').toBeDefined();
        const recorded = recordingFetch();
        const server = await provider.oauth!.resolveServer(profileOf().settings, {
          fetch: recorded.fetch,
          signal: new AbortController().signal,
          timeoutMs: 10_000,
          allowInsecureHttp: true,
          env: {},
        });
        expect(server.token_endpoint).toMatch(/^https?:\/\//);
        const discovered = recorded.urls.filter((url) => url.includes('/.well-known/'));
        if (manifest.server === 'discovery') expect(discovered.length).toBeGreaterThan(0);
        else expect(recorded.urls).toEqual([]);
      });

      it(`runs the flows its manifest declares against the IdP (${flows.join(', ') || 'none'}); not: ${CONFORMANCE_FLOWS.filter((flow) => !flows.includes(flow)).join(', ') || 'none'}`, () => {
        for (const flow of flows) expect(CONFORMANCE_FLOWS).toContain(flow);
        expect(flows.length, 'an oauth provider declares at least one flow').toBeGreaterThan(0);
      });

      if (flows.includes('device')) {
        it('device flow (RFC 8628): shows the code, the person approves it at the IdP, login stores tokens', async () => {
          const who = approving('device');
          const ctx = session(who.interaction);
          const credential = await login(ctx, { flow: 'device' });
          await who.settled();
          expect(who.events.map((event) => event.event)).toEqual(['device_code', 'logged_in']);
          expect(credential.tokens.access_token).not.toBe('');
          expect(await ctx.store.list()).toContain(PROFILE);
        });
      }

      if (flows.includes('browser')) {
        it('browser flow (RFC 8252, PKCE S256): the person signs in at the opened URL, the loopback callback completes the login', async () => {
          const who = approving('browser');
          const credential = await login(session(who.interaction), { flow: 'browser' });
          await who.settled();
          const opened = who.events.find((event) => event.event === 'open_url') as { url: string } | undefined;
          expect(new URL(opened?.url ?? 'http://x').searchParams.get('code_challenge_method')).toBe('S256');
          expect(credential.tokens.access_token).not.toBe('');
        });
      }

      if (flows.includes('client-credentials')) {
        it('client credentials (RFC 6749 §4.4): the service account logs in with its secret, nobody asked', async () => {
          const who = person({});
          const credential = await login(primarySession(who.interaction), { flow: 'client-credentials' });
          expect(credential.flow).toBe('client-credentials');
          expect(credential.tokens.access_token).not.toBe('');
          expect(who.events.map((event) => event.event)).toEqual(['logged_in']);
        });
      }

      if (flows.includes('refresh')) {
        it('refresh (RFC 6749 §6): getToken past expiry refreshes with the stored refresh token and stores the new tokens', async () => {
          const flow = flows.includes('device') ? 'device' : 'browser';
          const who = approving(flow);
          const ctx = session(who.interaction);
          const first = await login(ctx, { flow });
          await who.settled();
          expect(first.tokens.refresh_token, 'the login gave a refresh token').toBeDefined();
          const later = { ...ctx, now: () => first.tokens.expires_at + 60 };
          const refreshed = await getToken(later);
          expect(refreshed.access_token).not.toBe(first.tokens.access_token);
          expect(refreshed.expires_at).toBeGreaterThan(first.tokens.expires_at);
          expect(await getToken(later)).toEqual(refreshed);
        });
      }

      describe('errors', () => {
        if (flows.includes('client-credentials')) {
          it('invalid_client from the IdP (client authentication failed) is INVALID_CLIENT, exit 4, and no secret is in the message', async () => {
            const { settings: extra, secret } = serviceAccount();
            const wrong = 'conformance-wrong-secret';
            // A client that authenticates with a secret presents a wrong one; one that uses an assertion gets the RFC 6749 §5.2 answer.
            const ctx =
              secret === undefined
                ? session(person({}).interaction, extra, { fetch: tokenErrorFetch('invalid_client', 401) })
                : session(person({}).interaction, extra, { secrets: { clientSecret: async () => wrong } });
            const error = await login(ctx, { flow: 'client-credentials' }).catch((e: unknown) => e);
            expect(AuthError.is(error) && error.code, String(error)).toBe('INVALID_CLIENT');
            expect(exitCodeFor(error)).toBe(4);
            expect((error as Error).message).not.toContain(wrong);
            if (secret !== undefined) expect((error as Error).message).not.toContain(secret);
          });
        }

        if (flows.includes('device')) {
          it('access_denied (the person denies the device code) is ACCESS_DENIED, exit 4', async () => {
            const who = person({ onDevice: (shown) => needs('denyDevice')(shown) });
            const error = await login(session(who.interaction), { flow: 'device' }).catch((e: unknown) => e);
            await who.settled();
            expect(AuthError.is(error) && error.code, String(error)).toBe('ACCESS_DENIED');
            expect(exitCodeFor(error)).toBe(EXIT_CODES.ACCESS_DENIED);
          });
        }

        if (primary !== undefined) {
          it(`invalid_grant from the token endpoint (${primary} flow) is INVALID_GRANT, exit 3, and nothing is stored`, async () => {
            const ctx = primarySession(person({}).interaction, { fetch: tokenErrorFetch('invalid_grant') });
            const error = await login(ctx, { flow: primary }).catch((e: unknown) => e);
            expect(AuthError.is(error) && error.code, String(error)).toBe('INVALID_GRANT');
            expect(exitCodeFor(error)).toBe(3);
            expect(await ctx.store.list()).toEqual([]);
          });

          it(`an unreachable server (${primary} flow) is NETWORK, exit 5, naming the URL it could not reach`, async () => {
            const port = await closedPort();
            const error = await login(primarySession(person({}).interaction, { fetch: unreachableFetch(port) }), { flow: primary }).catch(
              (e: unknown) => e,
            );
            expect(AuthError.is(error) && error.code, String(error)).toBe('NETWORK');
            expect(exitCodeFor(error)).toBe(5);
            expect((error as AuthError).details.url).toMatch(/^https?:\/\//);
          });

          const aliases = Object.entries(provider.oauth?.errorAliases ?? {});
          if (aliases.length === 0) {
            it('declares no errorAliases: the IdP\'s error values are read as the RFCs define them', () => {
              expect(provider.oauth?.errorAliases ?? {}).toEqual({});
            });
          } else {
            // Vendors send their own values mostly while a person decides (Entra's authorization_declined), so the device flow is preferred.
            const aliasFlow: LoginFlowId = flows.includes('device') ? 'device' : primary;
            it(`its errorAliases (${aliases.map(([alias, rfc]) => `${alias} → ${rfc}`).join(', ')}) end a ${aliasFlow} login exactly as the RFC errors they stand for`, async () => {
              const outcome = async (error: string) => {
                const failed = await login(flowSession(aliasFlow, person({}).interaction, { fetch: tokenErrorFetch(error) }), { flow: aliasFlow }).catch(
                  (e: unknown) => e,
                );
                expect(AuthError.is(failed), `${error}: ${String(failed)}`).toBe(true);
                const { code, hint } = failed as AuthError;
                return { code, hint };
              };
              for (const [alias, rfc] of aliases) {
                expect(alias).not.toBe(rfc);
                expect(await outcome(alias), `${alias} is read as ${rfc}`).toEqual(await outcome(rfc));
              }
            });
          }
        }
      });
    }

    function describeBasic(): void {
      it('basic login: an unreachable server is NETWORK (exit 5), nothing is stored, and the password is not in the message', async () => {
        const store = createMemoryStore();
        const ctx: SessionContext = {
          profile: profileOf(),
          provider,
          store,
          interaction: person({}).interaction,
          secrets: { password: async () => ({ username: 'conformance', password: BASIC_PASSWORD }) },
          fetch: unreachableFetch(await closedPort()),
        };
        const error = await loginBasic(ctx).catch((e: unknown) => e);
        if (provider.basic?.check === undefined) {
          // Without a check core stores what it was given: the capability says so by leaving `check` out.
          expect(error).toMatchObject({ kind: 'basic', username: 'conformance' });
          return;
        }
        expect(AuthError.is(error) && error.code, String(error)).toBe('NETWORK');
        expect(exitCodeFor(error)).toBe(5);
        expect((error as Error).message).not.toContain(BASIC_PASSWORD);
        expect(await store.list()).toEqual([]);
      });

      it('basic: execEnvironment hands a child process string variables, with no setting left unset', () => {
        const env = provider.basic!.execEnvironment(profileOf().settings, { kind: 'basic', username: 'conformance', password: BASIC_PASSWORD });
        expect(Object.keys(env).length).toBeGreaterThan(0);
        for (const [name, value] of Object.entries(env)) {
          expect(name).toMatch(/^[A-Z_][A-Z0-9_]*$/);
          expect(typeof value, name).toBe('string');
          expect(value, name).not.toContain('undefined');
        }
      });
    }
  });
}
