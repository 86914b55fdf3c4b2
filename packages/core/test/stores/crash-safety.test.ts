import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createFileStore } from '../../src/stores/file-store.js';
import { CredentialSchema } from '../../src/token-set.js';
import { fixture, oauthCredential, runFixture, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

const LANES = 3;
const KILLS_PER_LANE = 8;

it('crash safety: a writer SIGKILLed at random moments (24 times) never leaves a credential file that fails to parse or validate', async () => {
  let killedMidWrite = 0;

  const lane = async () => {
    const dir = await tempDir();
    const file = join(dir, 'dev.json');
    await createFileStore({ dir }).set('dev', oauthCredential());
    for (let i = 0; i < KILLS_PER_LANE; i++) {
      const writer = runFixture(fixture('stores', 'rewrite-loop.mjs'), [dir, 'dev']);
      await writer.waitForLine('ready');
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
      writer.child.kill('SIGKILL');
      expect((await writer.exited).signal).toBe('SIGKILL');

      const text = await readFile(file, 'utf8');
      expect(() => CredentialSchema.parse(JSON.parse(text))).not.toThrow();
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      if ((await readdir(dir)).some((name) => name.endsWith('.tmp'))) killedMidWrite++;
    }
    // The next write sweeps what the killed writers left behind.
    const store = createFileStore({ dir });
    await store.set('dev', oauthCredential());
    expect(await readdir(dir)).toEqual(['dev.json']);
    expect(await store.get('dev')).toMatchObject({ kind: 'oauth' });
  };

  await Promise.all(Array.from({ length: LANES }, lane));
  // Evidence the kills landed inside writes (a temp file was left), not only between them.
  expect(killedMidWrite).toBeGreaterThan(0);
});
