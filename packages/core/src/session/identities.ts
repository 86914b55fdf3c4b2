/**
 * Several identities per profile (gh `auth switch`, kms `user switch`).
 *
 * The active identity's credential stays under `tokenKey(profile)`, so
 * print-token, the token manager and logout work on it unchanged; every other
 * identity waits under `identityKey(profile, name)`, untouched (and not
 * refreshed) until it is switched to. Keys stay opaque strings, so any store
 * holds them. All identities of a profile change only under the lock of
 * `tokenKey(profile)`, the lock a refresh holds, so a refresh and a switch
 * never interleave and a rotated refresh token is never lost. A credential is
 * always written to its new key before its old key is overwritten or deleted:
 * a crash leaves at worst a second copy, never a loss. Where an identity is
 * both active and waiting, the active copy wins (it is the one refreshed).
 */
import { createHash } from 'node:crypto';
import type { CredentialStore } from '../contracts/v1/credential-store.js';
import { AuthError } from '../errors.js';
import { tokenKey, type OAuthCredential } from '../token-set.js';
import { identityOf } from './identity-name.js';
import { revokeAndDelete, type LogoutResult } from './logout.js';
import type { SessionContext } from './types.js';

/** Credential store key of a profile's identity that is not the active one. */
export function identityKey(profile: string, identity: string): string {
  return `${profile}#identity:${identityKeyPart(identity)}`;
}

/** Names up to this many characters, URI-encoded as the file store writes them, stay as they are in keys. */
const VERBATIM_LIMIT = 96;
/** The readable start kept of a longer name, in encoded characters. */
const PREFIX_LIMIT = 48;

/**
 * An IdP may name a person with a 256-character `preferred_username`, too
 * long for a file name once encoded. Such a name is keyed by its first
 * characters and the SHA-256 of the whole name: bounded, and distinct for
 * distinct names. Its encoded length is always above VERBATIM_LIMIT (the
 * prefix alone is more than PREFIX_LIMIT minus one code point, 12 encoded
 * characters at most, and the hash adds 65), so it never equals a key kept
 * as it is. The full name stays in the credential (`identity`).
 */
function identityKeyPart(identity: string): string {
  if (encodeURIComponent(identity).length <= VERBATIM_LIMIT) return identity;
  let prefix = '';
  for (const char of identity) {
    if (encodeURIComponent(prefix + char).length > PREFIX_LIMIT) break;
    prefix += char;
  }
  return `${prefix}~${createHash('sha256').update(identity).digest('hex')}`;
}

export interface StoredIdentity {
  identity: string;
  /** Its credential is the profile's token (`tokenKey`): print-token and status use it. */
  active: boolean;
  credential: OAuthCredential;
}

/** The identities stored for a profile, by name. */
export async function listIdentities(store: CredentialStore, profile: string): Promise<StoredIdentity[]> {
  const found = new Map<string, StoredIdentity>();
  const active = await readOAuth(store, tokenKey(profile));
  if (active !== undefined) found.set(identityOf(active), { identity: identityOf(active), active: true, credential: active });
  const prefix = identityKey(profile, '');
  for (const key of await store.list()) {
    const part = key.slice(prefix.length);
    if (!key.startsWith(prefix) || found.has(part)) continue;
    const credential = await readOAuth(store, key);
    // A long name is shortened in its key (identityKey); the credential holds it whole.
    const identity = credential?.identity ?? part;
    if (credential !== undefined && !found.has(identity)) found.set(identity, { identity, active: false, credential });
  }
  return [...found.values()].sort((a, b) => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0));
}

/**
 * The stored login of `identity` in the profile, active or waiting; a
 * corrupt one counts as none (logging in again rewrites it).
 */
export async function storedIdentity(store: CredentialStore, profile: string, identity: string): Promise<OAuthCredential | undefined> {
  const active = await activeIdentity(store, profile);
  if (active?.identity === identity) return active.credential;
  return readOAuth(store, identityKey(profile, identity), true);
}

export interface SaveResult {
  identity: string;
  /** The identity that was active before, when it was another one; it now waits under its identity key. */
  previous?: string;
}

/**
 * Makes a new login the profile's active identity. The identity that was
 * active keeps its credential under its identity key; an earlier login of
 * the same identity is replaced.
 */
export async function saveAsActive(store: CredentialStore, profile: string, credential: OAuthCredential): Promise<SaveResult> {
  const identity = identityOf(credential);
  const key = tokenKey(profile);
  return store.withLock(key, async () => {
    const active = await activeIdentity(store, profile);
    if (active !== undefined && active.identity !== identity) await keep(store, profile, active);
    await store.set(key, { ...credential, identity });
    await store.delete(identityKey(profile, identity));
    return active === undefined || active.identity === identity ? { identity } : { identity, previous: active.identity };
  });
}

export interface SwitchResult {
  identity: string;
  /** The identity that was active before, when there was one. */
  previous?: string;
}

/** Makes a stored identity the active one; the active one waits under its identity key. */
export async function switchIdentity(store: CredentialStore, profile: string, identity: string): Promise<SwitchResult> {
  const key = tokenKey(profile);
  return store.withLock(key, async () => {
    const active = await activeIdentity(store, profile);
    const waiting = identityKey(profile, identity);
    if (active?.identity === identity) {
      // Already active; a copy a crash left behind goes, so it can never come back with an old refresh token.
      await store.delete(waiting);
      return { identity, previous: identity };
    }
    const target = await readOAuth(store, waiting);
    if (target === undefined) throw await unknownIdentity(store, profile, identity);
    if (active !== undefined) await keep(store, profile, active);
    await store.set(key, { ...target, identity });
    await store.delete(waiting);
    return active === undefined ? { identity } : { identity, previous: active.identity };
  });
}

export interface RemoveResult extends LogoutResult {
  identity: string;
  /** It was the active identity. */
  wasActive: boolean;
  /** The active identity after the removal (another stored one when the active one was removed), if any. */
  active?: string;
}

/**
 * Logs one identity out: revokes its tokens at the IdP when it has a
 * revocation endpoint, then deletes them. Removing the active identity makes
 * the first remaining one (by name) active, as `gh auth logout` does; the
 * caller says so. Only with none left is the profile logged out.
 */
export async function removeIdentity(ctx: SessionContext, identity: string): Promise<RemoveResult> {
  const profile = ctx.profile.name;
  const key = tokenKey(profile);
  const whose = `${identity} in profile ${profile}`;
  return ctx.store.withLock(key, async () => {
    const stored = await listIdentities(ctx.store, profile);
    const entry = stored.find((candidate) => candidate.identity === identity);
    if (entry === undefined) throw await unknownIdentity(ctx.store, profile, identity);
    const waiting = identityKey(profile, identity);
    if (!entry.active) {
      const active = stored.find((candidate) => candidate.active)?.identity;
      return { identity, wasActive: false, ...(active === undefined ? {} : { active }), ...(await revokeAndDelete(ctx, waiting, whose)) };
    }
    const result = await revokeAndDelete(ctx, key, whose);
    // A copy left by a crash mid-switch must not come back as a waiting identity.
    await ctx.store.delete(waiting);
    const next = stored.find((candidate) => !candidate.active);
    if (next === undefined) return { identity, wasActive: true, ...result };
    // Written to the active key before its waiting copy goes, as in a switch.
    await ctx.store.set(key, { ...next.credential, identity: next.identity });
    await ctx.store.delete(identityKey(profile, next.identity));
    return { identity, wasActive: true, active: next.identity, ...result };
  });
}

/**
 * The hint of a profile that is not logged in: the `user switch` that
 * brings back a stored identity, when there is one, and the login command.
 */
export async function notLoggedInHint(store: CredentialStore, profile: string): Promise<string> {
  const login = `\`authctl login --profile ${profile}\``;
  const waiting = (await listIdentities(store, profile)).filter((entry) => !entry.active).map((entry) => entry.identity);
  if (waiting.length === 0) return `run ${login}`;
  if (waiting.length === 1) return `run \`authctl user switch ${waiting[0]} --profile ${profile}\` to use the stored login of ${waiting[0]}, or ${login}`;
  return `run \`authctl user switch NAME --profile ${profile}\` to use a stored login (${waiting.join(', ')}), or ${login}`;
}

/** Writes the active identity's credential to its identity key, where it waits. */
async function keep(store: CredentialStore, profile: string, active: { identity: string; credential: OAuthCredential }): Promise<void> {
  await store.set(identityKey(profile, active.identity), { ...active.credential, identity: active.identity });
}

/** The active identity; a corrupt active credential counts as none (the next login or switch overwrites it). */
async function activeIdentity(store: CredentialStore, profile: string): Promise<{ identity: string; credential: OAuthCredential } | undefined> {
  const credential = await readOAuth(store, tokenKey(profile), true);
  return credential === undefined ? undefined : { identity: identityOf(credential), credential };
}

async function unknownIdentity(store: CredentialStore, profile: string, identity: string): Promise<AuthError> {
  const names = (await listIdentities(store, profile)).map((stored) => stored.identity);
  const stored = names.length === 0 ? 'it has none stored' : `stored: ${names.join(', ')}`;
  return new AuthError('USAGE', `no identity "${identity}" in profile ${profile} (${stored})`, {
    profile,
    hint:
      names.length === 0
        ? `run \`authctl login --profile ${profile}\``
        : `name one of ${names.join(', ')}, or run \`authctl login --profile ${profile}\` to add ${identity}`,
  });
}

/** The OAuth credential under `key`; with `ignoreCorrupt`, a corrupt one counts as none. */
async function readOAuth(store: CredentialStore, key: string, ignoreCorrupt = false): Promise<OAuthCredential | undefined> {
  try {
    const credential = await store.get(key);
    return credential?.kind === 'oauth' ? credential : undefined;
  } catch (error) {
    if (ignoreCorrupt && AuthError.is(error) && error.code === 'STORE_CORRUPT') return undefined;
    throw error;
  }
}
