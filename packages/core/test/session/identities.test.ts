import { startTestIdP, type TestIdP } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CredentialStore } from '../../src/contracts/v1/credential-store.js';
import type { Credential } from '../../src/token-set.js';
import {
  identityKey,
  listIdentities,
  removeIdentity,
  saveAsActive,
  switchIdentity,
} from '../../src/session/identities.js';
import { login } from '../../src/session/login.js';
import type { SecretSources } from '../../src/session/types.js';
import { createFileStore } from '../../src/stores/file-store.js';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { getToken } from '../../src/token/token-manager.js';
import { tokenKey, type OAuthCredential } from '../../src/token-set.js';
import { recordingInteraction } from '../flows/support/interaction.js';
import { sessionFor } from '../flows/support/session.js';
import { rejectedAuthError, useTempDirs } from '../stores/helpers.js';

let idp: TestIdP;
beforeAll(async () => {
  idp = await startTestIdP();
});
afterAll(() => idp.close());

const tempDir = useTempDirs();
const profile = () => ({ issuer: idp.issuer, client_id: 'authctl', flow: 'password' });
const as = (username: 'alice' | 'bob'): SecretSources => ({ password: async () => ({ username, password: `${username}-password` }) });
/** Far enough ahead that every token issued here needs a refresh. */
const afterExpiry = () => Math.floor(Date.now() / 1000) + 7200;

async function loginAs(store: CredentialStore, username: 'alice' | 'bob', confirmReplace?: (identity: string) => Promise<boolean>) {
  return login(sessionFor(profile(), { store, secrets: as(username) }), confirmReplace === undefined ? {} : { confirmReplace });
}

/** Every key the store holds and its value. */
async function contents(store: CredentialStore): Promise<Record<string, Credential | undefined>> {
  const all: Record<string, Credential | undefined> = {};
  for (const key of await store.list()) all[key] = await store.get(key);
  return all;
}

/** `identity → active` for the profile `dev`. */
async function identities(store: CredentialStore): Promise<Record<string, boolean>> {
  return Object.fromEntries((await listIdentities(store, 'dev')).map(({ identity, active }) => [identity, active]));
}

/** A refresh with this credential, in a store of its own: LOGIN_REQUIRED once the IdP revoked it. */
async function refreshWith(credential: OAuthCredential) {
  const store = createMemoryStore();
  await store.set(tokenKey('dev'), credential);
  return getToken(sessionFor(profile(), { store, now: afterExpiry }));
}

const stores: Array<[string, () => Promise<CredentialStore>]> = [
  ['memory', async () => createMemoryStore()],
  ['file', async () => createFileStore({ dir: await tempDir() })],
];

describe.each(stores)('several identities per profile (%s store)', (_name, makeStore) => {
  it('a login records who logged in, from the ID token (alice), and makes her the active identity', async () => {
    const store = await makeStore();
    const credential = await loginAs(store, 'alice');

    expect(credential.identity).toBe('alice');
    expect(await listIdentities(store, 'dev')).toEqual([{ identity: 'alice', active: true, credential }]);
    expect(await store.get(tokenKey('dev'))).toEqual(credential);
  });

  it("bob's login over alice's keeps her as a waiting identity with her tokens untouched; bob's are the profile token", async () => {
    const store = await makeStore();
    const alice = await loginAs(store, 'alice');
    const bob = await loginAs(store, 'bob');

    expect(await identities(store)).toEqual({ alice: false, bob: true });
    expect(await store.get(tokenKey('dev'))).toEqual(bob);
    expect(await store.get(identityKey('dev', 'alice'))).toEqual(alice);
    expect((await getToken(sessionFor(profile(), { store }))).access_token).toBe(bob.tokens.access_token);
  });

  it('the same person logging in again replaces their login: one entry, the new tokens, the old ones nowhere in the store', async () => {
    const store = await makeStore();
    const first = await loginAs(store, 'alice');
    await loginAs(store, 'bob');
    const again = await loginAs(store, 'alice');

    expect(await identities(store)).toEqual({ alice: true, bob: false });
    expect(await store.get(tokenKey('dev'))).toEqual(again);
    expect(JSON.stringify(await contents(store))).not.toContain(first.tokens.refresh_token);
  });

  it('switch makes the waiting identity active and getToken follows it; switching back restores the first', async () => {
    const store = await makeStore();
    const alice = await loginAs(store, 'alice');
    const bob = await loginAs(store, 'bob');

    expect(await switchIdentity(store, 'dev', 'alice')).toEqual({ identity: 'alice', previous: 'bob' });
    expect(await identities(store)).toEqual({ alice: true, bob: false });
    expect((await getToken(sessionFor(profile(), { store }))).access_token).toBe(alice.tokens.access_token);

    expect(await switchIdentity(store, 'dev', 'bob')).toEqual({ identity: 'bob', previous: 'alice' });
    expect((await getToken(sessionFor(profile(), { store }))).access_token).toBe(bob.tokens.access_token);
    expect(await store.get(identityKey('dev', 'alice'))).toEqual(alice);
    expect(await store.list()).toEqual([tokenKey('dev'), identityKey('dev', 'alice')].sort());
  });

  it('switch to an unknown identity is USAGE naming the stored ones, and changes nothing', async () => {
    const store = await makeStore();
    await loginAs(store, 'alice');
    await loginAs(store, 'bob');
    const before = await contents(store);

    const error = await rejectedAuthError(switchIdentity(store, 'dev', 'carol'));

    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('"carol"');
    expect(error.message).toContain('alice, bob');
    expect(error.details.profile).toBe('dev');
    expect(await contents(store)).toEqual(before);
  });

  it('remove of a waiting identity revokes it at the IdP (RFC 7009) and deletes it; the active one still refreshes', async () => {
    const store = await makeStore();
    const alice = await loginAs(store, 'alice');
    const bob = await loginAs(store, 'bob');

    expect(await removeIdentity(sessionFor(profile(), { store }), 'alice')).toEqual({
      identity: 'alice',
      wasActive: false,
      active: 'bob',
      revoked: true,
      revocation: { outcome: 'answered', revoked: ['refresh_token', 'access_token'], unrevocable: [], accessTokenExpiresAt: alice.tokens.expires_at },
      deleted: true,
    });

    expect(await identities(store)).toEqual({ bob: true });
    await expect(refreshWith(alice)).rejects.toMatchObject({ code: 'LOGIN_REQUIRED' });
    expect((await refreshWith(bob)).access_token).not.toBe(bob.tokens.access_token);
  });

  it('remove of the active identity makes the remaining one active (gh auth logout): getToken hands out its token', async () => {
    const store = await makeStore();
    const alice = await loginAs(store, 'alice');
    const bob = await loginAs(store, 'bob');

    const removed = await removeIdentity(sessionFor(profile(), { store }), 'bob');

    expect(removed).toMatchObject({ identity: 'bob', wasActive: true, active: 'alice', deleted: true });
    expect(await identities(store)).toEqual({ alice: true });
    expect((await getToken(sessionFor(profile(), { store }))).access_token).toBe(alice.tokens.access_token);
    await expect(refreshWith(bob)).rejects.toMatchObject({ code: 'LOGIN_REQUIRED' });
  });

  it('remove of the last identity leaves the profile logged out: getToken asks for a login', async () => {
    const store = await makeStore();
    await loginAs(store, 'alice');

    expect(await removeIdentity(sessionFor(profile(), { store }), 'alice')).toMatchObject({ identity: 'alice', wasActive: true, deleted: true });
    expect(await identities(store)).toEqual({});
    await expect(getToken(sessionFor(profile(), { store }))).rejects.toMatchObject({ code: 'LOGIN_REQUIRED' });
  });

  it('confirmReplace is asked only for the same identity with a working login; a "no" keeps everything and is CANCELLED', async () => {
    const store = await makeStore();
    const asked: string[] = [];
    const no = async (identity: string) => {
      asked.push(identity);
      return false;
    };
    await loginAs(store, 'alice', no);
    await loginAs(store, 'bob', no);
    expect(asked).toEqual([]);
    const before = await contents(store);

    await expect(loginAs(store, 'alice', no)).rejects.toMatchObject({ code: 'CANCELLED', message: expect.stringContaining('alice') });
    expect(asked).toEqual(['alice']);
    expect(await contents(store)).toEqual(before);

    const yes = await loginAs(store, 'alice', async () => true);
    expect(await identities(store)).toEqual({ alice: true, bob: false });
    expect(await store.get(tokenKey('dev'))).toEqual(yes);
  });
});

describe('how an identity is named', () => {
  it('a device login approved by bob at the IdP (RFC 8628, headless user) is named bob, beside alice', async () => {
    const store = createMemoryStore();
    await loginAs(store, 'alice');
    const recording = recordingInteraction();
    const emit = recording.interaction.emit;
    let approved: Promise<void> | undefined;
    recording.interaction.emit = (event) => {
      emit(event);
      if (event.event === 'device_code') {
        approved = idp.user.approveDevice(String(event.verification_uri), String(event.user_code), { username: 'bob', password: 'bob-password' });
      }
    };

    const credential = await login(sessionFor({ ...profile(), flow: 'device' }, { store, interaction: recording.interaction }));
    await approved;

    expect(credential.identity).toBe('bob');
    expect(await identities(store)).toEqual({ alice: false, bob: true });
  });

  it('a client-credentials login is named after its client id', async () => {
    const store = createMemoryStore();
    const ctx = sessionFor({ ...profile(), service_account: { client_id: 'svc' } }, { store, secrets: { clientSecret: async () => 'svc-secret' } });

    expect((await login(ctx, { flow: 'client-credentials' })).identity).toBe('svc');
    expect(await identities(store)).toEqual({ svc: true });
  });

  it('a login stored before identities existed is named from its ID token, and a new login keeps it under that name', async () => {
    const store = createMemoryStore();
    const { identity: _none, ...legacy } = await loginAs(store, 'alice');
    await store.set(tokenKey('dev'), legacy);
    expect(await identities(store)).toEqual({ alice: true });

    await loginAs(store, 'bob');

    expect(await identities(store)).toEqual({ alice: false, bob: true });
    expect(await store.get(identityKey('dev', 'alice'))).toEqual({ ...legacy, identity: 'alice' });
  });

  it('saveAsActive reports the identity it displaced, and none when the same identity replaces itself', async () => {
    const store = createMemoryStore();
    const alice = await loginAs(store, 'alice');
    const bob = await loginAs(store, 'bob');

    expect(await saveAsActive(store, 'dev', alice)).toEqual({ identity: 'alice', previous: 'bob' });
    expect(await saveAsActive(store, 'dev', alice)).toEqual({ identity: 'alice' });
    expect(await store.get(identityKey('dev', 'bob'))).toEqual(bob);
  });
});

describe('identity names too long for a file name', () => {
  /** A 230-character preferred_username, and another that differs from it only at the end. */
  const long = `${'x'.repeat(229)}1`;
  const twin = `${'x'.repeat(229)}2`;
  const named = (credential: OAuthCredential, identity: string): OAuthCredential => ({ ...credential, identity });

  it('a 230-character identity and one differing only in its last character both fit the file store, each under its own key, listed by full name', async () => {
    const store = createFileStore({ dir: await tempDir() });
    const alice = await loginAs(store, 'alice');

    expect(await saveAsActive(store, 'dev', named(alice, long))).toEqual({ identity: long, previous: 'alice' });
    expect(await saveAsActive(store, 'dev', named(alice, twin))).toEqual({ identity: twin, previous: long });
    expect(await identities(store)).toEqual({ alice: false, [long]: false, [twin]: true });

    expect(identityKey('dev', long)).not.toBe(identityKey('dev', twin));
    expect((await switchIdentity(store, 'dev', long)).identity).toBe(long);
    expect(await identities(store)).toEqual({ alice: false, [long]: true, [twin]: false });
  });

  it('store keys of identities stay bounded: every key of a 64-character profile encodes to at most 200 characters, the longest names included', () => {
    const profileName = 'p'.repeat(64);
    for (const identity of ['alice', 'a@example.com', 'x'.repeat(256), 'é'.repeat(256), '😀'.repeat(256), `${'a'.repeat(95)}~`]) {
      expect(encodeURIComponent(identityKey(profileName, identity)).length, identity).toBeLessThanOrEqual(200);
    }
  });

  it('a name is kept as it is in its key up to a length every shortened name exceeds, so the two kinds never collide', () => {
    const part = (identity: string) => identityKey('dev', identity).slice('dev#identity:'.length);
    const names = ['y', 'é', '😀', '@'].flatMap((unit) => Array.from({ length: 300 }, (_, i) => unit.repeat(i + 1)));
    const kept = names.filter((name) => part(name) === name);
    const shortened = names.filter((name) => part(name) !== name);
    expect(kept).toContain('y'.repeat(20));
    expect(shortened).toContain('y'.repeat(230));
    const encodedLength = (name: string) => encodeURIComponent(part(name)).length;
    expect(Math.max(...kept.map(encodedLength))).toBeLessThan(Math.min(...shortened.map(encodedLength)));
    expect(new Set(shortened.map(part)).size, 'no two shortened names share a key').toBe(shortened.length);
  });
});

describe('switching while the token manager refreshes', () => {
  let hours = 0;
  /** A clock two hours past the previous one: every getToken meets an expired token and refreshes. */
  const later = () => {
    const at = Math.floor(Date.now() / 1000) + 7200 * ++hours;
    return () => at;
  };

  it('a refresh and a switch racing on the same profile (file store) never lose a rotated refresh token', async () => {
    const store = createFileStore({ dir: await tempDir() });
    await loginAs(store, 'alice');
    await loginAs(store, 'bob');
    idp.resetCounts();

    for (let round = 0; round < 6; round++) {
      const entries = await listIdentities(store, 'dev');
      expect(entries.map(({ identity }) => identity), `before round ${round}`).toEqual(['alice', 'bob']);
      const other = entries.find((entry) => !entry.active)?.identity ?? 'alice';
      // The refresh reads the profile's token, then takes the lock; the switch races it to that lock.
      await Promise.all([getToken(sessionFor(profile(), { store, now: later() })), switchIdentity(store, 'dev', other)]);
    }
    // Each identity's stored refresh token must be the latest one: the IdP's reuse detection refuses any older one.
    for (const identity of ['alice', 'bob']) {
      await switchIdentity(store, 'dev', identity);
      await getToken(sessionFor(profile(), { store, now: later() }));
    }

    const refreshes = idp.grants().filter((grant) => grant.grant_type === 'refresh_token');
    expect(refreshes.length).toBeGreaterThanOrEqual(8);
    expect(refreshes.filter((grant) => grant.status !== 200)).toEqual([]);
    expect(await identities(store)).toEqual({ alice: false, bob: true });
  });
});
