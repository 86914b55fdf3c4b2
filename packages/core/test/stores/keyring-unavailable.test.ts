import { spawn } from 'node:child_process';
import { startKeyringSession, type KeyringSession } from '@auth/testkit';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYRING_TIMEOUT_MS } from '../../src/stores/keyring-agent.js';
import { builtDist, fixture, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

interface ClientResult {
  code: number | null;
  stderr: string;
  result: { elapsedMs: number; keys?: string[]; token?: string; error?: { code: string; message: string; hint?: string } };
}

/** Runs fixtures/keyring-client.mjs in its own process (the keyring verdict is per process) against `bus`. */
async function runClient(home: string, bus: Record<string, string | undefined>): Promise<ClientResult> {
  builtDist();
  const env: NodeJS.ProcessEnv = { ...process.env, ...bus };
  for (const [key, value] of Object.entries(bus)) if (value === undefined) delete env[key];
  const child = spawn(process.execPath, [fixture('stores', 'keyring-client.mjs'), home], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // A hang fails the test on the exit code instead of stalling the suite.
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(killer);
  return { code, stderr, result: JSON.parse(stdout || '{}') };
}

async function homeWith(backend: 'auto' | 'keyring'): Promise<string> {
  const home = await tempDir();
  await writeFile(join(home, 'config.toml'), `[store]\nbackend = "${backend}"\n`);
  return home;
}

let locked: KeyringSession;
let stuckBus: Server;
let busDir: string;

const scenarios = [
  {
    name: 'no D-Bus session at all (SSH, WSL, containers)',
    bus: () => ({ DBUS_SESSION_BUS_ADDRESS: undefined, XDG_RUNTIME_DIR: join(busDir, 'run') }),
    reason: /no D-Bus session bus/,
    bounded: true,
  },
  {
    name: 'a D-Bus address whose bus is gone',
    bus: () => ({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(busDir, 'gone')}` }),
    reason: /Failed to connect/,
    bounded: true,
  },
  {
    name: 'a locked keyring (no prompt can be shown)',
    bus: () => ({ DBUS_SESSION_BUS_ADDRESS: locked.address }),
    reason: /prompt was dismissed/,
    bounded: true,
  },
  {
    name: 'a Secret Service that never answers',
    bus: () => ({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(busDir, 'stuck-bus')}` }),
    reason: /no answer within 3 s/,
    bounded: false,
  },
];

beforeAll(async () => {
  locked = await startKeyringSession('locked');
  busDir = await mkdtemp(join(tmpdir(), 'authctl-bus-'));
  await mkdir(join(busDir, 'run'), { mode: 0o700 });
  // A bus that accepts connections and never answers: without a bound, the keyring call never returns.
  stuckBus = createServer((socket) => socket.on('data', () => {}));
  await new Promise<void>((resolve) => stuckBus.listen(join(busDir, 'stuck-bus'), resolve));
});
afterAll(async () => {
  stuckBus?.close();
  await locked?.stop();
  if (busDir) await rm(busDir, { recursive: true, force: true });
});

describe.each(scenarios)('with $name', (scenario) => {
  it('store.backend = "keyring" fails with STORE_UNAVAILABLE naming the keyring and pointing to `authctl store use file`, and the process exits', async () => {
    const run = await runClient(await homeWith('keyring'), scenario.bus());
    expect(run.code, scenario.name).toBe(0);
    expect(run.result.error?.code).toBe('STORE_UNAVAILABLE');
    expect(run.result.error?.message).toMatch(/^the OS keyring \(Secret Service\) is not usable: /);
    expect(run.result.error?.message).toMatch(scenario.reason);
    expect(run.result.error?.hint).toContain('`authctl store use file`');
    expect(run.stderr).toBe('');
    if (scenario.bounded) expect(run.result.elapsedMs).toBeLessThan(KEYRING_TIMEOUT_MS);
  });

  it('store.backend = "auto" falls back to 0600 files with exactly one warning, and the credentials work; rewriting them later warns no more', async () => {
    const home = await homeWith('auto');
    const run = await runClient(home, scenario.bus());
    expect(run.code, scenario.name).toBe(0);
    expect(run.result).toMatchObject({ keys: ['dev', 'dev#client_secret'], token: 'at-from-fixture' });
    const warnings = run.stderr.trimEnd().split('\n');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      new RegExp(`^warning: no usable OS keyring \\(.+\\); credentials are stored in files under ${join(home, 'state', 'credentials')} \\(0600\\)`),
    );
    expect(warnings[0]).toMatch(scenario.reason);
    expect((await stat(join(home, 'state', 'credentials', 'dev.json'))).mode & 0o777).toBe(0o600);
    // The bound for the fallback decision; a stuck service takes the 3 s call bound, and no more.
    if (scenario.bounded) expect(run.result.elapsedMs).toBeLessThan(KEYRING_TIMEOUT_MS);

    // A refresh or a new login rewrites credentials already in files: the user was told when they landed there.
    const rewrite = await runClient(home, scenario.bus());
    expect(rewrite.result).toMatchObject({ keys: ['dev', 'dev#client_secret'], token: 'at-from-fixture' });
    expect(rewrite.stderr).toBe('');
  });
});
