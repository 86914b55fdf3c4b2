import { existsSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect } from 'vitest';
import { devProfileTest as test } from './support/fixtures.js';
import { configToml, idpProfile } from './support/profiles.js';
import type { RunningAuthctl, Sandbox } from './support/sandbox.js';

const SECRET = { AUTHCTL_CLIENT_SECRET: 'svc-secret' };
/** Long enough for the refresh window rules (a third of it, at least 5 s), short enough for a bounded soak. */
const LIFETIME_S = 12;

interface SinkRecord {
  access_token: string;
  expires_at: number;
  agent_pid: number;
}

function sinkFile(sandbox: Sandbox, name: string): string {
  return join(sandbox.home, 'sinks', 'dev', name);
}

async function readSink(sandbox: Sandbox): Promise<SinkRecord | undefined> {
  const text = await readFile(sinkFile(sandbox, 'sink.json'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as SinkRecord);
}

async function startAgent(sandbox: Sandbox): Promise<RunningAuthctl> {
  const agent = sandbox.start(['agent', 'run', '--profile', 'dev'], { env: SECRET });
  await agent.expect(/dev: sink written/, 'stderr');
  return agent;
}

async function stopAgent(agent: RunningAuthctl): Promise<void> {
  agent.kill('SIGTERM');
  expect((await agent.done).code).toBe(0);
}

/** Waits until `check` holds, looking every 100 ms, for at most `ms`. */
async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await delay(100)) if (await check()) return true;
  return check();
}

describe('authctl agent', () => {
  test('keeps the sink fresh through rotations, never expired when sampled, with one IdP grant per rotation beside 8 print-token processes', async ({ idp, sandbox }) => {
    idp.setAccessTokenTtl(LIFETIME_S);
    expect((await sandbox.run(['login', '--serviceaccount'], { env: SECRET })).code).toBe(0);
    const agent = await startAgent(sandbox);
    const seen = new Set<string>();
    const printed = new Set<string>();
    let stop = false;
    const printers = Array.from({ length: 8 }, async () => {
      while (!stop) {
        const result = await sandbox.run(['print-token'], { env: SECRET });
        expect(result.code).toBe(0);
        printed.add(result.stdout.trimEnd());
      }
    });
    // Sample for a bit under two lifetimes: at least one rotation.
    for (const end = Date.now() + 20_000; Date.now() < end; await delay(100)) {
      const record = await readSink(sandbox);
      expect(record).toBeDefined();
      expect(record!.expires_at * 1000).toBeGreaterThan(Date.now());
      const token = (await readFile(sinkFile(sandbox, 'token'), 'utf8').catch(() => '')).trimEnd();
      if (token !== '') seen.add(token);
    }
    stop = true;
    await Promise.all(printers);
    await stopAgent(agent);

    expect(seen.size).toBeGreaterThanOrEqual(2);
    // One grant per token, each seen in the sink (the login's, then one per rotation): print-token never asked the IdP itself.
    expect(idp.grantCount('client_credentials')).toBe(seen.size);
    for (const token of printed) expect(seen.has(token)).toBe(true);
    // Stopped cleanly: the lock and the sinks are gone.
    expect(existsSync(join(sandbox.home, 'agent.pid'))).toBe(false);
    expect(existsSync(sinkFile(sandbox, 'token'))).toBe(false);
  });

  test('writes token, header, exec-credential.json and env as 0600 files in 0700 folders', async ({ idp, sandbox }) => {
    expect((await sandbox.run(['login', '--serviceaccount'], { env: SECRET })).code).toBe(0);
    const agent = await startAgent(sandbox);
    const record = (await readSink(sandbox))!;
    expect(await readFile(sinkFile(sandbox, 'token'), 'utf8')).toBe(`${record.access_token}\n`);
    expect(await readFile(sinkFile(sandbox, 'header'), 'utf8')).toBe(`Authorization: Bearer ${record.access_token}\n`);
    expect(JSON.parse(await readFile(sinkFile(sandbox, 'exec-credential.json'), 'utf8'))).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: { token: record.access_token, expirationTimestamp: new Date(record.expires_at * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
    });
    expect(await readFile(sinkFile(sandbox, 'env'), 'utf8')).toBe(`AUTHCTL_TOKEN=${record.access_token}\nAUTHCTL_TOKEN_EXPIRES_AT=${record.expires_at}\n`);
    for (const dir of [join(sandbox.home, 'sinks'), join(sandbox.home, 'sinks', 'dev')]) expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const name of ['token', 'header', 'exec-credential.json', 'env', 'sink.json']) {
      const file = await stat(sinkFile(sandbox, name));
      expect(file.mode & 0o777).toBe(0o600);
      expect(file.uid).toBe(process.getuid!());
    }
    expect(await readFile(join(sandbox.home, 'agent.log'), 'utf8')).toContain('dev: sink written');
    expect(idp.grantCount('client_credentials')).toBe(1);
    await stopAgent(agent);
  });

  test('a second agent on the same home refuses to start and names the first one\'s pid', async ({ sandbox }) => {
    expect((await sandbox.run(['login', '--serviceaccount'], { env: SECRET })).code).toBe(0);
    const agent = await startAgent(sandbox);
    const second = await sandbox.run(['agent', 'run', '--profile', 'dev'], { env: SECRET });
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`pid ${agent.pid}`);
    await stopAgent(agent);
  });

  test('print-token reads the sink without the store, and ignores it once the agent is gone', async ({ sandbox }) => {
    expect((await sandbox.run(['login', '--serviceaccount'], { env: SECRET })).code).toBe(0);
    const agent = await startAgent(sandbox);
    const record = (await readSink(sandbox))!;
    await rm(sandbox.credentialFile('dev'));
    const fromSink = await sandbox.run(['print-token']);
    expect(fromSink).toEqual({ code: 0, stdout: `${record.access_token}\n`, stderr: '' });
    const header = await sandbox.run(['print-token', '--header']);
    expect(header.stdout).toBe(`Authorization: Bearer ${record.access_token}\n`);

    agent.kill('SIGKILL');
    await agent.done;
    // The sink is still on disk, but its agent is dead: the ordinary path answers (no login left: exit 3).
    expect(existsSync(sinkFile(sandbox, 'sink.json'))).toBe(true);
    const fallback = await sandbox.run(['print-token']);
    expect(fallback.code).toBe(3);
    expect(fallback.stdout).toBe('');
  });

  test('with the IdP down the sink is removed before its token expires, status says why, and it is restored once the IdP is back', async ({ idp, sandbox }) => {
    idp.setAccessTokenTtl(LIFETIME_S);
    expect((await sandbox.run(['login', '--serviceaccount'], { env: SECRET })).code).toBe(0);
    const agent = await startAgent(sandbox);
    const first = (await readSink(sandbox))!;
    await idp.setOutage('503');
    try {
      const removed = await until(async () => !existsSync(sinkFile(sandbox, 'token')), LIFETIME_S * 1000 + 2_000);
      expect(removed).toBe(true);
      // Removed ahead of expiry, not after it.
      expect(Date.now()).toBeLessThan(first.expires_at * 1000 + 500);
      const status = await sandbox.run(['agent', 'status', '--json']);
      expect(status.code).toBe(0);
      const profiles = (JSON.parse(status.stdout) as { profiles: Record<string, { state: string; reason: string }> }).profiles;
      expect(profiles.dev!.state).toBe('removed');
      expect(profiles.dev!.reason).toMatch(/refreshed|NETWORK|PROTOCOL|503/);
    } finally {
      await idp.setOutage('none');
    }
    const restored = await until(async () => (await readSink(sandbox)) !== undefined, 15_000);
    expect(restored).toBe(true);
    expect((await readSink(sandbox))!.access_token).not.toBe(first.access_token);
    await stopAgent(agent);
  });

  test('agent start runs it in the background, status --json reports it, agent stop ends it', async ({ sandbox }) => {
    expect((await sandbox.run(['login', '--serviceaccount'], { env: SECRET })).code).toBe(0);
    const started = await sandbox.run(['agent', 'start', '--profile', 'dev'], { env: SECRET });
    expect(started.code).toBe(0);
    const pid = Number(/pid (\d+)/.exec(started.stderr)?.[1]);
    try {
      expect(await until(async () => (await readSink(sandbox))?.agent_pid === pid, 10_000)).toBe(true);
      const status = await sandbox.run(['agent', 'status', '--json']);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ running: true, pid, profiles: { dev: { state: 'fresh' } } });
      expect((await sandbox.run(['agent', 'stop'])).code).toBe(0);
      expect(await until(async () => !existsSync(join(sandbox.home, 'agent.pid')), 10_000)).toBe(true);
      const after = await sandbox.run(['agent', 'status', '--json']);
      expect(after.code).toBe(1);
      expect(JSON.parse(after.stdout)).toEqual({ running: false, pid: null, profiles: {} });
    } finally {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already stopped, as it should be
      }
    }
  });

  test('with no --profile it keeps the profiles named by [agent] profiles in config, each in its own sink', async ({ idp, sandbox }) => {
    await sandbox.writeConfig(`${configToml({ dev: idpProfile(idp.issuer), ops: idpProfile(idp.issuer) }, 'dev')}\n[agent]\nprofiles = ["dev", "ops"]\n`);
    for (const profile of ['dev', 'ops']) expect((await sandbox.run(['login', '--serviceaccount', '--profile', profile], { env: SECRET })).code).toBe(0);
    const agent = sandbox.start(['agent', 'run'], { env: SECRET });
    await agent.expect(/agent started \(pid \d+\) for dev, ops/, 'stderr');
    await agent.expect(/(dev|ops): sink written[^]*(dev|ops): sink written/, 'stderr');
    const tokens = await Promise.all(['dev', 'ops'].map((profile) => readFile(join(sandbox.home, 'sinks', profile, 'token'), 'utf8')));
    expect(new Set(tokens).size).toBe(2);
    expect((await sandbox.run(['print-token', '--profile', 'ops'])).stdout).toBe(tokens[1]);
    await stopAgent(agent);
  });
});
