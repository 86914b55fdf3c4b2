/**
 * The `authctl print-token` hot path: answer "is there a fresh cached token
 * for this profile?" reading one config file and one credential file. Only
 * node builtins, smol-toml and zod-free modules are imported (no zod, no
 * oauth4webapi, no lock library; a test checks the built import graph).
 * Anything but 'fresh' sends the caller to the full path (`getToken`).
 *
 * Where the credential is read follows the auto store (stores/auto-store.ts)
 * without probing anything: `file` reads the file; `auto` the file, else the
 * keyring item; `keyring` the keyring item. Only the keyring branches load
 * the keyring reader, and with it the bounded keyring helper process.
 */
import { join } from 'node:path';
import { isTable } from './config/config-error.js';
import { loadConfig } from './config/load-config.js';
import { authctlHome, credentialsDir } from './config/paths.js';
import { requireProfile, selectProfileName } from './config/select-profile.js';
import type { AuthctlConfig } from './config/types.js';
import { AuthError } from './errors.js';
import { corruptCredential, credentialFileName, readCredentialFile } from './stores/credential-file.js';
import { readSinkToken } from './sinks/sink-token.js';
import { needsRefresh } from './token/refresh-window.js';
import { isAuthScheme, isB64Token } from './token/token-syntax.js';

export { isAuthScheme, isB64Token } from './token/token-syntax.js';
export { basicAuthorization } from './token/basic-authorization.js';

export type CachedTokenResult =
  | { state: 'fresh'; profile: string; token: { access_token: string; token_type: string; expires_at: number } }
  /** Basic credentials (a username and password, which never expire): only ever sent as an `Authorization: Basic` line. */
  | { state: 'basic'; profile: string; credential: { username: string; password: string } }
  | { state: 'stale' | 'missing'; profile: string };

export async function readCachedToken(
  opts: {
    profile?: string;
    configFile?: string;
    env?: NodeJS.ProcessEnv;
    /** Epoch seconds. */
    now?: number;
  } = {},
): Promise<CachedTokenResult> {
  const env = opts.env ?? process.env;
  const config = await loadConfig({ env, ...(opts.configFile === undefined ? {} : { file: opts.configFile }) });
  const profile = selectProfileName(config, opts.profile, env);
  requireProfile(config, profile);
  const now = opts.now ?? Math.floor(Date.now() / 1000);

  // A running `authctl agent` keeps this fresh; its sinks belong to the home, so an explicit --config bypasses them.
  const sink = opts.configFile === undefined ? await readSinkToken(authctlHome(env), profile, now) : undefined;
  if (sink !== undefined) {
    return { state: 'fresh', profile, token: { access_token: sink.access_token, token_type: sink.token_type, expires_at: sink.expires_at } };
  }

  const stored = await readStoredToken(config, profile);
  if (stored === undefined) return { state: 'missing', profile };
  const basic = basicOf(stored.credential, stored.corrupt);
  if (basic !== undefined) return { state: 'basic', profile, credential: basic };
  const token = oauthTokenOf(stored.credential, stored.corrupt);
  if (token === undefined || needsRefresh(token, now)) {
    return { state: 'stale', profile };
  }
  return {
    state: 'fresh',
    profile,
    token: { access_token: token.access_token, token_type: token.token_type, expires_at: token.expires_at },
  };
}

interface StoredToken {
  credential: unknown;
  /** STORE_CORRUPT naming where the credential came from. */
  corrupt: (problem: string) => AuthError;
}

// The store key of a profile's token is the profile name (`tokenKey`, which lives beside zod).
async function readStoredToken(config: AuthctlConfig, profile: string): Promise<StoredToken | undefined> {
  const { backend, path } = config.store;
  if (backend !== 'keyring') {
    const file = join(credentialsDir(path), credentialFileName(profile));
    const credential = await readCredentialFile(file, profile);
    if (credential !== undefined) return { credential, corrupt: (problem) => corruptCredential(file, profile, problem) };
    if (backend === 'file') return undefined;
  }
  const { corruptKeyringItem, keyringPlace, readKeyringItem } = await import('./stores/keyring-items.js');
  const place = keyringPlace(path);
  let credential: unknown;
  try {
    credential = await readKeyringItem(place, profile);
  } catch (error) {
    // `auto` without a usable keyring is a miss; the full path decides where the next login goes.
    if (backend === 'auto' && AuthError.is(error) && error.code === 'STORE_UNAVAILABLE') return undefined;
    throw error;
  }
  return credential === undefined ? undefined : { credential, corrupt: (problem) => corruptKeyringItem(place, profile, problem) };
}

interface CachedTokens {
  access_token: string;
  token_type: string;
  expires_at: number;
  issued_at?: number;
}

/** The username and password of a `basic` credential, checked by hand as CredentialSchema would; undefined for the other kinds. */
function basicOf(credential: unknown, corrupt: StoredToken['corrupt']): { username: string; password: string } | undefined {
  if (!isTable(credential) || credential.kind !== 'basic') return undefined;
  const { username, password } = credential;
  if (typeof username !== 'string') throw corrupt('is not a valid credential (bad username)');
  if (typeof password !== 'string') throw corrupt('is not a valid credential (bad password)');
  return { username, password };
}

/**
 * The token of an `oauth` credential, checked by hand against what
 * CredentialSchema requires of the fields used here; undefined for the
 * other kinds, which are never handed out as bearer tokens.
 */
function oauthTokenOf(credential: unknown, corrupt: StoredToken['corrupt']): CachedTokens | undefined {
  const bad = (field: string) => corrupt(`is not a valid credential (bad ${field})`);
  if (!isTable(credential)) throw bad('kind');
  if (credential.kind === 'secret') return undefined;
  if (credential.kind !== 'oauth') throw bad('kind');
  if (typeof credential.client_id !== 'string') throw bad('client_id');
  if (!isTable(credential.server) || typeof credential.server.token_endpoint !== 'string') throw bad('server.token_endpoint');
  const tokens = credential.tokens;
  if (!isTable(tokens)) throw bad('tokens');
  // The syntax checks of TokenSetSchema: a token that could forge header lines is never printed.
  if (typeof tokens.access_token !== 'string' || !isB64Token(tokens.access_token)) throw bad('tokens.access_token');
  if (typeof tokens.token_type !== 'string' || !isAuthScheme(tokens.token_type)) throw bad('tokens.token_type');
  for (const field of ['expires_at', 'issued_at'] as const) {
    const value = tokens[field];
    if (field === 'issued_at' && value === undefined) continue;
    if (!Number.isSafeInteger(value) || (value as number) <= 0) throw bad(`tokens.${field}`);
  }
  return tokens as unknown as CachedTokens;
}
