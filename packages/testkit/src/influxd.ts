import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A real InfluxDB OSS 1.x server (Debian's `influxdb` 1.6) on loopback, with authentication on. */
export interface Influxd {
  /** `http://127.0.0.1:<port>`: the HTTP API. */
  url: string;
  /** The administrator created at start (`WITH ALL PRIVILEGES`). */
  admin: { username: string; password: string };
  /** `[http] shared-secret`: HS* JWTs `{username, exp}` signed with it are accepted. */
  sharedSecret: string;
  pid: number;
  /** Kills influxd, waits for it to exit, and removes its folder. */
  stop(): Promise<void>;
}

export interface InfluxdOptions {
  admin?: { username: string; password: string };
  sharedSecret?: string;
  /** Default `influxd` on PATH. */
  binary?: string;
  /** How long to wait for the listening line and `/ping` (default 30 s). */
  startTimeoutMs?: number;
}

const LISTENING = /msg="Listening on HTTP".*\baddr=(127\.0\.0\.1:\d+)/;

/**
 * Starts influxd in a temporary folder. Both listeners (HTTP and the RPC
 * `bind-address`) bind `127.0.0.1:0`, so the kernel picks free ports and no
 * port is chosen that another process could take first; influxd 1.6 logs the
 * bound HTTP address (`Listening on HTTP ... addr=127.0.0.1:<port>`), which is
 * read from its log. Ready is `/ping` answering 204, polled. The first admin
 * is created without credentials, as InfluxDB allows while no user exists.
 * A missing influxd throws (never skips): install Debian's `influxdb`.
 */
export async function startInfluxd(options: InfluxdOptions = {}): Promise<Influxd> {
  const binary = options.binary ?? 'influxd';
  if (spawnSync(binary, ['version'], { stdio: 'ignore' }).error) {
    throw new Error(`${binary} is not installed: the InfluxDB tests need it. Install it with \`apt-get install -y influxdb\` (Debian's InfluxDB 1.6).`);
  }
  const admin = options.admin ?? { username: 'admin', password: 'admin-password' };
  const sharedSecret = options.sharedSecret ?? 'influxd-test-shared-secret-0123456789';
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const dir = await mkdtemp(join(tmpdir(), 'authkit-influxd-'));
  const config = join(dir, 'influxdb.conf');
  await writeFile(config, configText(dir, sharedSecret));

  const child = spawn(binary, ['run', '-config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const address = await listeningAddress(child, timeoutMs);
    const url = `http://${address}`;
    await waitForPing(url, child, timeoutMs);
    await createAdmin(url, admin);
    return { url, admin, sharedSecret, pid: child.pid!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function configText(dir: string, sharedSecret: string): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:0"
[meta]
  dir = "${join(dir, 'meta')}"
[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:0"
  auth-enabled = true
  shared-secret = "${sharedSecret}"
  log-enabled = false
[continuous_queries]
  enabled = false
[logging]
  level = "info"
`;
}

/** The HTTP address from influxd's log; influxd exiting first, or the deadline, fails with the log's last lines. */
function listeningAddress(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const tail: string[] = [];
    const lines = [child.stdout!, child.stderr!].map((stream) => createInterface({ input: stream }));
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      // Keep draining the pipes so influxd never blocks on a full one.
      for (const reader of lines) reader.removeListener('line', onLine);
      settle();
    };
    const onLine = (line: string) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      const match = LISTENING.exec(line);
      if (match) finish(() => resolve(match[1]!));
    };
    const onExit = (code: number | null) => finish(() => reject(new Error(`influxd exited (${code}) before listening:\n${tail.join('\n')}`)));
    const timer = setTimeout(() => finish(() => reject(new Error(`influxd did not listen within ${timeoutMs} ms:\n${tail.join('\n')}`))), timeoutMs);
    for (const reader of lines) reader.on('line', onLine);
    child.once('exit', onExit);
  });
}

async function waitForPing(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`influxd exited (${child.exitCode}) before answering /ping`);
    try {
      if ((await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) })).status === 204) return;
    } catch {
      // not accepting yet
    }
    if (Date.now() > deadline) throw new Error(`influxd at ${url} did not answer /ping within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function createAdmin(url: string, admin: { username: string; password: string }): Promise<void> {
  const quote = (value: string, q: string) => `${q}${value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replaceAll(q, `\\${q}`)}${q}`;
  const statement = `CREATE USER ${quote(admin.username, '"')} WITH PASSWORD ${quote(admin.password, "'")} WITH ALL PRIVILEGES`;
  const response = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q: statement }), signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  if (response.status !== 200 || text.includes('"error"')) throw new Error(`influxd at ${url} refused to create the admin: ${response.status} ${text}`);
}
