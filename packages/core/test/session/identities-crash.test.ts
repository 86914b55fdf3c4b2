import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { identityKey, listIdentities, saveAsActive, switchIdentity } from '../../src/session/identities.js';
import { createFileStore } from '../../src/stores/file-store.js';
import { tokenKey, type OAuthCredential } from '../../src/token-set.js';
import { oauthCredential, runFixture, useTempDirs } from '../stores/helpers.js';

const tempDir = useTempDirs();
const switchThenCrash = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'switch-then-crash.mjs');
/** The dead switcher's lock is taken over once it is this old (the file store's minimum). */
const STALE_MS = 2000;

function credentialOf(identity: string): OAuthCredential {
  return { ...oauthCredential({ access_token: `at-${identity}`, refresh_token: `rt-${identity}` }), identity };
}

/** `identity → [active, access token]` for profile `dev`. */
async function stored(dir: string): Promise<Record<string, [boolean, string]>> {
  const entries = await listIdentities(createFileStore({ dir }), 'dev');
  return Object.fromEntries(entries.map(({ identity, active, credential }) => [identity, [active, credential.tokens.access_token]]));
}

it('a switch SIGKILLed before each of its three writes loses no identity, and the next switch completes', async () => {
  const crashAt = async (write: number) => {
    const dir = await tempDir();
    const store = createFileStore({ dir, lock: { staleMs: STALE_MS } });
    for (const identity of ['alice', 'bob', 'carol']) await saveAsActive(store, 'dev', credentialOf(identity));

    const switcher = runFixture(switchThenCrash, [dir, 'dev', 'alice', String(write)]);
    const { signal, stderr } = await switcher.exited;
    expect(signal, `killed before write ${write}: ${stderr}`).toBe('SIGKILL');

    const afterCrash = await stored(dir);
    expect(Object.keys(afterCrash), `after a crash before write ${write}`).toEqual(['alice', 'bob', 'carol']);
    for (const [identity, [, token]] of Object.entries(afterCrash)) expect(token).toBe(`at-${identity}`);
    expect(Object.values(afterCrash).filter(([active]) => active)).toHaveLength(1);

    await switchIdentity(store, 'dev', 'alice');
    expect(await stored(dir)).toEqual({ alice: [true, 'at-alice'], bob: [false, 'at-bob'], carol: [false, 'at-carol'] });
    expect((await store.list()).sort()).toEqual([tokenKey('dev'), identityKey('dev', 'bob'), identityKey('dev', 'carol')].sort());
  };
  await Promise.all([1, 2, 3].map(crashAt));

  // The control: a switch that is not killed makes exactly those three writes.
  const dir = await tempDir();
  const store = createFileStore({ dir });
  for (const identity of ['alice', 'bob', 'carol']) await saveAsActive(store, 'dev', credentialOf(identity));
  const switcher = runFixture(switchThenCrash, [dir, 'dev', 'alice', '4']);
  await switcher.waitForLine('switched');
  expect((await switcher.exited).code).toBe(0);
  expect(await stored(dir)).toEqual({ alice: [true, 'at-alice'], bob: [false, 'at-bob'], carol: [false, 'at-carol'] });
});
