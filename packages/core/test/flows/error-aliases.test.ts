import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowContext } from '../../src/contracts/v1/flow.js';
import { AuthError } from '../../src/errors.js';
import { explicitAuthorizationServer } from '../../src/flows/authorization-server.js';
import { getFlow } from '../../src/flows/index.js';
import { revokeTokens } from '../../src/flows/revoke.js';
import { recordingInteraction } from './support/interaction.js';

/**
 * A vendor that answers with its own OAuth `error` values: what a provider's
 * `errorAliases` is for (Entra's `authorization_declined` is one). Every
 * endpoint answers RFC 6749 §5.2-shaped errors with the value the test sets.
 */
let server: Server;
let base: string;
let answer = { status: 400, error: 'invalid_request' };
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: answer.error, error_description: 'the vendor says no' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const ALIASES = {
  vendor_client_unknown: 'invalid_client',
  vendor_grant_gone: 'invalid_grant',
  vendor_overloaded: 'temporarily_unavailable',
  vendor_cannot_revoke: 'unsupported_token_type',
};

function context(errorAliases: Readonly<Record<string, string>> | undefined, extra: Partial<FlowContext> = {}): FlowContext {
  return {
    profile: 'dev',
    server: explicitAuthorizationServer({
      authorization_url: `${base}/authorize`,
      token_url: `${base}/token`,
      device_url: `${base}/device`,
      revocation_url: `${base}/revoke`,
    }),
    client: { client_id: 'cli' },
    clientAuth: oauth.None(),
    scopes: ['openid'],
    parameters: {},
    interaction: recordingInteraction().interaction,
    signal: new AbortController().signal,
    fetch,
    timeoutMs: 5000,
    allowInsecureHttp: true,
    options: {},
    readPassword: async () => ({ username: 'ana', password: 'pw' }),
    refreshToken: 'a-refresh-token',
    ...(errorAliases === undefined ? {} : { errorAliases }),
    ...extra,
  };
}

async function failure(run: () => Promise<unknown>): Promise<AuthError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!AuthError.is(error)) throw new Error(`expected an AuthError, got ${String(error)}`);
  return error;
}

/** The error a flow ends with when the vendor answers `vendor`, aliased, and when it answers the RFC value itself. */
async function aliasedAndStandard(vendor: string, run: (ctx: FlowContext) => Promise<unknown>): Promise<{ aliased: AuthError; standard: AuthError; unaliased: AuthError }> {
  answer = { status: 400, error: vendor };
  const aliased = await failure(() => run(context(ALIASES)));
  const unaliased = await failure(() => run(context(undefined)));
  answer = { status: 400, error: ALIASES[vendor as keyof typeof ALIASES] };
  const standard = await failure(() => run(context(ALIASES)));
  return { aliased, standard, unaliased };
}

describe("a provider's errorAliases apply in every flow, not only device polling", () => {
  it.each([
    ['client-credentials', 'vendor_client_unknown'],
    ['password', 'vendor_grant_gone'],
    ['refresh', 'vendor_grant_gone'],
    ['device', 'vendor_overloaded'],
  ] as const)('%s: an aliased token or device endpoint error ends as its RFC equivalent, quoting the vendor', async (flow, vendor) => {
    const { aliased, standard, unaliased } = await aliasedAndStandard(vendor, (ctx) => getFlow(flow).run(ctx));
    expect(aliased.code).toBe(standard.code);
    expect(aliased.code).not.toBe(unaliased.code);
    expect(aliased.details.oauthError).toBe(vendor);
  });

  it('code: an aliased error in the pasted redirect ends as its RFC equivalent', async () => {
    const pasteError = (error: string) =>
      recordingInteraction({
        async answer(_question, steps) {
          const shown = steps.find((step) => step.kind === 'print' && step.message.includes(`${base}/authorize`));
          const url = new URL(/(http\S+)/.exec(shown?.kind === 'print' ? shown.message : '')![1]!);
          return `${url.searchParams.get('redirect_uri')}?error=${error}&state=${url.searchParams.get('state')}`;
        },
      }).interaction;
    const run = (aliases: typeof ALIASES | undefined, error: string) =>
      failure(() => getFlow('code').run(context(aliases, { interaction: pasteError(error), options: { codeRedirectUri: 'https://app.example.com/code' } })));

    const aliased = await run(ALIASES, 'vendor_overloaded');
    const standard = await run(ALIASES, 'temporarily_unavailable');
    const unaliased = await run(undefined, 'vendor_overloaded');

    expect(aliased.code).toBe(standard.code);
    expect(aliased.code).not.toBe(unaliased.code);
    expect(aliased.details.oauthError).toBe('vendor_overloaded');
    expect(aliased.message).toContain('vendor_overloaded');
  });

  it('browser: an aliased error on the loopback callback ends as its RFC equivalent', async () => {
    const redirectWith = (error: string) =>
      recordingInteraction({
        open(url) {
          const request = new URL(url);
          void fetch(`${request.searchParams.get('redirect_uri')}?error=${error}&state=${request.searchParams.get('state')}`);
          return true;
        },
      }).interaction;
    const run = (aliases: typeof ALIASES | undefined, error: string) => failure(() => getFlow('browser').run(context(aliases, { interaction: redirectWith(error) })));

    const aliased = await run(ALIASES, 'vendor_overloaded');
    const standard = await run(ALIASES, 'temporarily_unavailable');
    const unaliased = await run(undefined, 'vendor_overloaded');

    expect(aliased.code).toBe(standard.code);
    expect(aliased.code).not.toBe(unaliased.code);
    expect(aliased.details.oauthError).toBe('vendor_overloaded');
  });

  it('revoke: an aliased unsupported_token_type is an answer (RFC 7009 §2.2.1), not a failure', async () => {
    answer = { status: 400, error: 'vendor_cannot_revoke' };
    const tokens = { access_token: 'at', token_type: 'Bearer', expires_at: 0 };

    const revocation = await revokeTokens(context(ALIASES), tokens);
    const unaliased = await failure(() => revokeTokens(context(undefined), tokens));

    expect(revocation).toEqual({ revoked: [], unrevocable: ['access_token'] });
    expect(unaliased.code).toBe('ACCESS_DENIED');
  });
});
