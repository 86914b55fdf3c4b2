import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKeyringSession, type KeyringSession } from '@auth/testkit';
import { useKeyringSession } from '@auth/testkit/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYRING_TIMEOUT_MS } from '../../src/stores/keyring-agent.js';
import { createKeyringStore } from '../../src/stores/keyring-store.js';
import { builtDist, fixture, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
const session = useKeyringSession();

interface ReadResult {
  code: number | null;
  stderr: string;
  result: { elapsedMs: number; helperStarted: boolean; value?: unknown; error?: { code: string; message: string } };
}

/** Reads `key` of the store at `storePath` the way print-token does, in a fresh process on `bus`. */
async function readInChild(storePath: string, key: string, bus: Record<string, string | undefined>): Promise<ReadResult> {
  builtDist();
  const env: NodeJS.ProcessEnv = { ...process.env, ...bus };
  for (const [name, value] of Object.entries(bus)) if (value === undefined) delete env[name];
  const child = spawn(process.execPath, [fixture('stores', 'keyring-read.mjs'), storePath, key], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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

let locked: KeyringSession;
let stuckBus: Server;
let busDir: string;

beforeAll(async () => {
  locked = await startKeyringSession('locked');
  busDir = await mkdtemp(join(tmpdir(), 'authctl-bus-'));
  await mkdir(join(busDir, 'run'), { mode: 0o700 });
  // Accepts connections and never answers, not even the authentication.
  stuckBus = createServer((socket) => socket.on('data', () => {}));
  await new Promise<void>((resolve) => stuckBus.listen(join(busDir, 'stuck-bus'), resolve));
});
afterAll(async () => {
  stuckBus?.close();
  await locked?.stop();
  if (busDir) await rm(busDir, { recursive: true, force: true });
});

describe('keyring reads without the helper process', () => {
  it('a live, unlocked Secret Service holding the item is read in-process: no helper process starts', async () => {
    const storePath = await tempDir();
    await createKeyringStore({ storePath }).set('ünï cödé', { kind: 'secret', value: 'read-in-process ✓ ünïcödé' });
    const run = await readInChild(storePath, 'ünï cödé', { DBUS_SESSION_BUS_ADDRESS: session().address });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.result).toMatchObject({ helperStarted: false, value: { kind: 'secret', value: 'read-in-process ✓ ünïcödé' } });
  });

  it('a sealed value (too big for an item) is read in-process too', async () => {
    const storePath = await tempDir();
    const big = `big-${'x'.repeat(20 * 1024)}`;
    await createKeyringStore({ storePath }).set('dev', { kind: 'secret', value: big });
    const run = await readInChild(storePath, 'dev', { DBUS_SESSION_BUS_ADDRESS: session().address });
    expect(run.result).toMatchObject({ helperStarted: false, value: { kind: 'secret', value: big } });
  });

  it('an item that is not there is left to the helper, which answers that there is none', async () => {
    const run = await readInChild(await tempDir(), 'dev', { DBUS_SESSION_BUS_ADDRESS: session().address });
    expect(run.result).toMatchObject({ helperStarted: true });
    expect(run.result.value).toBeUndefined();
    expect(run.result.error).toBeUndefined();
  });

  it('a locked keyring is left to the helper, whose calls are bounded and killable: the read is never made in this process', async () => {
    const run = await readInChild(await tempDir(), 'dev', { DBUS_SESSION_BUS_ADDRESS: locked.address });
    expect(run.code).toBe(0);
    expect(run.result.helperStarted).toBe(true);
    expect(run.result.value).toBeUndefined();
    expect(run.result.elapsedMs).toBeLessThan(KEYRING_TIMEOUT_MS);
  });

  it('a bus that accepts and never answers fails with STORE_UNAVAILABLE within the 3 s bound, without starting the helper', async () => {
    const run = await readInChild(await tempDir(), 'dev', { DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(busDir, 'stuck-bus')}` });
    expect(run.code).toBe(0);
    expect(run.result.error?.code).toBe('STORE_UNAVAILABLE');
    expect(run.result.error?.message).toMatch(/no answer within 3 s/);
    expect(run.result.helperStarted).toBe(false);
    expect(run.result.elapsedMs).toBeGreaterThanOrEqual(KEYRING_TIMEOUT_MS - 50);
    expect(run.result.elapsedMs).toBeLessThan(KEYRING_TIMEOUT_MS + 1000);
  });

  it('no session bus at all fails at once, as before, without starting the helper', async () => {
    const run = await readInChild(await tempDir(), 'dev', { DBUS_SESSION_BUS_ADDRESS: undefined, XDG_RUNTIME_DIR: join(busDir, 'run') });
    expect(run.result.error?.code).toBe('STORE_UNAVAILABLE');
    expect(run.result.error?.message).toMatch(/no D-Bus session bus/);
    expect(run.result.helperStarted).toBe(false);
    expect(run.result.elapsedMs).toBeLessThan(500);
  });
});
