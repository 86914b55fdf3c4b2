/**
 * Machine-identity logins of a profile (`method = "..."`): the `exchange`
 * flow. The profile's provider proves the identity (`provider.proof`), the
 * proof goes to the login API at `domain`, and the answer is stored like
 * any login, with what renewal needs (`machine`). The token manager renews
 * it while its max TTL allows and logs in again the same way after that.
 */
import { readFile } from 'node:fs/promises';
import { checkEndpointUrl } from '../config/check-url.js';
import { configError } from '../config/config-error.js';
import type { MachineProof } from '../contracts/v1/machine-identity.js';
import { AuthError } from '../errors.js';
import { jwtClaims } from '../flows/token-response.js';
import type { Revocation } from '../flows/revoke.js';
import { wait } from '../flows/wait.js';
import { findClientSecret } from '../session/client.js';
import { nowSeconds, sessionIO } from '../session/session-io.js';
import type { SessionContext } from '../session/types.js';
import type { OAuthCredential } from '../token-set.js';
import { loginApiBase, loginUrl, machineLoginRequest, renewRequest, revokeRequest, revokeUrl, type LoginApiIO, type MachineTokens } from './login-api.js';

/** A JWT file is a few KiB; anything much larger is the wrong file. */
const MAX_JWT_FILE_BYTES = 64 * 1024;

/** Profile keys passed to the proof as options, under the kms flag names. */
const OPTION_KEYS = {
  service_account_token_path: 'service-account-token-path',
  service_account_key_file_path: 'service-account-key-file-path',
  organization_slug: 'organization-slug',
  client_id: 'client-id',
} as const;

/** Logs the profile's machine identity in; the credential is not stored yet. */
export async function obtainMachineCredential(ctx: SessionContext): Promise<OAuthCredential> {
  const { name, file, settings } = ctx.profile;
  const method = settings.method;
  if (method === undefined) throw configError(file, `profiles.${name}.method`, 'is required for a machine-identity login', { profile: name });
  if (settings.domain === undefined) {
    throw configError(file, `profiles.${name}.domain`, `is required for the ${method} login: the URL of the login API`, {
      profile: name,
      hint: `pass --domain URL (or set INFISICAL_API_URL) to \`authctl login --method ${method}\`, or add domain = "https://..." to [profiles.${name}] in ${file}`,
    });
  }
  const domain = checkEndpointUrl(settings.domain, { profile: name, key: 'domain', file, allowHttp: settings.allow_http === true });
  const api = loginApiBase(domain);
  const io = apiIO(ctx, api);
  const proof = await prove(ctx, method, api, io);
  // kms sends the sub-organization with every login.
  const organization = settings.organization_slug;
  const body = organization === undefined || 'organizationSlug' in proof.body ? proof.body : { ...proof.body, organizationSlug: organization };
  const answer = await machineLoginRequest(io, api, proof.loginMethod, body);
  const subject = subjectOf(answer);
  return {
    kind: 'oauth',
    tokens: answer.tokens,
    flow: 'exchange',
    client_id: settings.client_id ?? settings.identity_id ?? method,
    server: { token_endpoint: loginUrl(api, proof.loginMethod), revocation_endpoint: revokeUrl(api) },
    ...(subject === undefined ? {} : { subject }),
    machine: {
      method,
      api,
      ...(answer.maxTtl === undefined ? {} : { max_expires_at: answer.tokens.issued_at! + answer.maxTtl }),
    },
  };
}

/**
 * A new token for a stored machine login: renewed while the max TTL allows
 * a whole further TTL (the login API refuses a renewal past it), else, or
 * when the renewal is refused, a silent login again with the profile's
 * method. A renewal that cannot reach the API fails as it is (the token
 * manager then keeps a still-valid token).
 */
export async function renewMachineCredential(ctx: SessionContext, credential: OAuthCredential): Promise<OAuthCredential> {
  const machine = credential.machine;
  const now = nowSeconds(ctx);
  const { issued_at: issued, expires_at: expires } = credential.tokens;
  const lifetime = issued === undefined ? 0 : expires - issued;
  if (machine !== undefined && (machine.max_expires_at === undefined || now + lifetime <= machine.max_expires_at)) {
    try {
      const renewed = await renewRequest(apiIO(ctx, machine.api), machine.api, credential.tokens.access_token);
      return { ...credential, tokens: renewed.tokens };
    } catch (error) {
      if (!AuthError.is(error) || (error.code !== 'INVALID_CREDENTIALS' && error.code !== 'ACCESS_DENIED')) throw error;
    }
  }
  return { ...(await obtainMachineCredential(ctx)), ...(credential.identity === undefined ? {} : { identity: credential.identity }) };
}

/** Revokes a stored machine login's access token at its login API. */
export async function revokeMachineToken(ctx: SessionContext, credential: OAuthCredential): Promise<Revocation | undefined> {
  const api = credential.machine?.api;
  if (api === undefined) return undefined;
  await revokeRequest(apiIO(ctx, api), api, credential.tokens.access_token);
  return { revoked: ['access_token'], unrevocable: [] };
}

async function prove(ctx: SessionContext, method: string, api: string, io: LoginApiIO): Promise<MachineProof> {
  const { name, file, settings } = ctx.profile;
  const capability = ctx.provider.proof;
  if (capability === undefined || !capability.methods.includes(method)) {
    const can = capability === undefined ? 'proves no machine identity' : `proves ${capability.methods.join(', ')}`;
    throw configError(file, `profiles.${name}.method`, `is "${method}", but provider "${ctx.provider.id}" ${can}`, {
      profile: name,
      hint: `\`authctl login --method ${method} --profile ${name}\` sets the provider that proves it`,
    });
  }
  const env = ctx.env ?? process.env;
  return capability.prove({
    method,
    settings,
    ...(settings.identity_id === undefined ? {} : { identityId: settings.identity_id }),
    loginUrl: api,
    options: await proofOptions(ctx),
    env,
    io: { fetch: io.fetch, signal: io.signal, timeoutMs: io.timeoutMs, allowInsecureHttp: settings.allow_http === true, env },
    profile: name,
    file,
  });
}

/** The method's options: the profile's, plus the client secret of its client and a JWT, from their sources. */
async function proofOptions(ctx: SessionContext): Promise<Record<string, string>> {
  const settings = ctx.profile.settings;
  const options: Record<string, string> = {};
  for (const [key, option] of Object.entries(OPTION_KEYS)) {
    const value = settings[key as keyof typeof OPTION_KEYS];
    if (value !== undefined) options[option] = value;
  }
  if (settings.client_id !== undefined) {
    const secret = await findClientSecret(ctx);
    if (secret !== undefined) options['client-secret'] = secret;
  }
  const jwt = (await ctx.secrets?.jwt?.()) || (settings.jwt_file === undefined ? undefined : await readJwtFile(ctx, settings.jwt_file));
  if (jwt) options.jwt = jwt;
  return options;
}

async function readJwtFile(ctx: SessionContext, path: string): Promise<string> {
  const { name, file } = ctx.profile;
  const fail = (problem: string) =>
    configError(file, `profiles.${name}.jwt_file`, problem, { profile: name, hint: `fix jwt_file in [profiles.${name}] of ${file}, or pass --jwt-file PATH` });
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.byteLength > MAX_JWT_FILE_BYTES) throw fail(`names ${path}, which is larger than a JWT can be (${bytes.byteLength} bytes)`);
    text = bytes.toString('utf8').trim();
  } catch (error) {
    if (AuthError.is(error)) throw error;
    throw fail(`names ${path}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (text === '') throw fail(`names ${path}, which is empty`);
  return text;
}

function apiIO(ctx: SessionContext, api: string): LoginApiIO {
  const io = sessionIO(ctx, api.startsWith('http:'));
  return { ...io, profile: ctx.profile.name, now: () => nowSeconds(ctx), sleep: ctx.sleep ?? wait };
}

/** Who the token is for, as the API wrote it in the (unverified, display-only) token: `sub`, else Infisical's `identityId`. */
function subjectOf(answer: MachineTokens): string | undefined {
  const claims = jwtClaims(answer.tokens.access_token);
  for (const value of [claims?.sub, claims?.identityId]) {
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}
