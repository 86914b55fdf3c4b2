import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { run, start } from './support/binary.js';
import { makeDataDir, removeDataDir } from './support/test-server.js';

/** `--metrics-listen HOST:PORT`: the issuer's /metrics for `--dev` (and over a config's `metrics_listen`). */

let dir: string;
beforeAll(async () => {
  dir = await makeDataDir();
});
afterAll(() => removeDataDir(dir));

describe('auth-server --metrics-listen', () => {
  test('--dev --metrics-listen serves /metrics on its own listener, names it in the banner, and not on the issuer', async () => {
    const server = await start(['--dev', '--listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0', '--data-dir', dir]);
    try {
      const metricsUrl = (await server.stderrMatch(/"event":"metrics\.listening","url":"([^"]+)"/))[1]!;
      expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(server.stderr()).toContain(`metrics         ${metricsUrl}`);
      const metrics = await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) });
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('auth_server_logins_total');
      expect((await fetch(`${server.issuer}/metrics`, { signal: AbortSignal.timeout(5000) })).status).toBe(404);
    } finally {
      await server.stop();
    }
  });

  test('a --metrics-listen that is not HOST:PORT is a usage error (exit 2) naming the option', async () => {
    const bad = await run(['--dev', '--listen', '127.0.0.1:0', '--metrics-listen', 'not-an-address', '--data-dir', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--metrics-listen "not-an-address" is not HOST:PORT');
  });
});
