import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRedis, type RedisServer } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { AuthctlHome, type AuthctlResult } from './support/authctl.js';
import { BannerLines } from './support/banner-lines.js';
import { startCluster, type Cluster } from './support/cluster.js';
import { DEMO_PASSWORD } from './support/credentials.js';
import { approveDeviceOverHttp } from './support/http-user.js';
import { prng } from './support/prng.js';

/**
 * 32 `authctl print-token` processes at once against three auth-server
 * instances on one Redis, some SIGKILLed at random moments, round after
 * round with the access token expired: authctl's cross-process lock lets
 * one of them refresh, the others read what it wrote, and the credential
 * file is whole at every moment a process can die.
 */

const PROCESSES = 32;
const ROUNDS = 3;
const KILLS_PER_ROUND = 6;

let redis: RedisServer;
let cluster: Cluster;
let home: AuthctlHome;
let banner: BannerLines;

beforeAll(async () => {
  redis = await startRedis();
  cluster = await startCluster(redis.url, 3);
  const first = cluster.instances[0]!.binary;
  await vi.waitFor(() => expect(first.stderr()).toContain('print-token --profile dev-service'));
  banner = BannerLines.parse(first.stderr());
  home = await AuthctlHome.create();
  const configured = await home.run(banner.startingWith('configure', '--profile', 'dev'));
  expect(configured.code, configured.stderr).toBe(0);
  // The file store (no keyring here): the file this test reads and expires.
  await appendFile(join(home.home, 'config.toml'), '\n[store]\nbackend = "file"\n');

  const login = home.start([...banner.exactly('login', '--flow', 'device'), '--json'], { input: '' });
  const device = await login.nextEvent();
  await approveDeviceOverHttp(String(device.verification_uri_complete), 'demo', DEMO_PASSWORD);
  const result = await login.done;
  expect(result.code, result.stderr).toBe(0);
});

afterAll(async () => {
  await home?.remove();
  await cluster?.close();
  await redis?.close();
});

const credentialFile = () => join(home.home, 'state', 'credentials', 'dev.json');

/** Puts the stored access token past its expiry, as time would; written the way authctl writes (temp file, rename). */
async function expireAccessToken(): Promise<void> {
  const stored = JSON.parse(await readFile(credentialFile(), 'utf8')) as { tokens: { expires_at: number } };
  stored.tokens.expires_at = Math.floor(Date.now() / 1000) - 1;
  const temp = `${credentialFile()}.test-tmp`;
  await writeFile(temp, JSON.stringify(stored), { mode: 0o600 });
  await rename(temp, credentialFile());
}

const refreshes = () =>
  cluster.instances.reduce((count, { binary }) => count + (binary.stderr().match(/"event":"grant\.success"[^\n]*"grant_type":"refresh_token"/g)?.length ?? 0), 0);

describe('authctl print-token race against the cluster', () => {
  test(`${PROCESSES} processes per round, ${KILLS_PER_ROUND} SIGKILLed at random: one refresh per round, every survivor prints the same fresh token, the credential file always parses`, async () => {
    const random = prng(14);
    for (let round = 0; round < ROUNDS; round++) {
      await expireAccessToken();
      const before = refreshes();
      const processes = Array.from({ length: PROCESSES }, () => home.start(banner.exactly('print-token'), { input: '' }));
      const victims = new Set<number>();
      while (victims.size < KILLS_PER_ROUND) victims.add(random.int(PROCESSES));
      const parses: boolean[] = [];
      for (const victim of victims) {
        setTimeout(() => {
          processes[victim]!.kill('SIGKILL');
          // Whatever moment a process dies at, the file is the old whole one or the new whole one.
          void readFile(credentialFile(), 'utf8').then((text) => parses.push(typeof JSON.parse(text) === 'object'));
        }, random.int(2000));
      }
      const results: AuthctlResult[] = await Promise.all(processes.map((process) => process.done));

      // The kills landed while processes ran (a victim that had already finished counts as a survivor).
      expect(results.filter((result) => result.signal === 'SIGKILL').length, `round ${round}`).toBeGreaterThan(0);
      const survivors = results.filter((result) => result.signal === null);
      for (const survivor of survivors) expect(survivor.code, survivor.stderr).toBe(0);
      const printed = new Set(survivors.map((survivor) => survivor.stdout));
      expect(printed.size, `round ${round}`).toBe(1);
      expect(refreshes() - before, `round ${round}`).toBe(1);
      expect(parses.every(Boolean)).toBe(true);
      expect(JSON.parse(await readFile(credentialFile(), 'utf8')).tokens.expires_at).toBeGreaterThan(Date.now() / 1000);
    }
  });
});
