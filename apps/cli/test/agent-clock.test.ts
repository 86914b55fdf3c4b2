import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore, tokenKey, type SessionContext } from '@auth/core';
import { afterEach, describe, expect, test } from 'vitest';
import { MAX_SLEEP_MS, runAgent, type AgentClock } from '../src/agent/run-agent.js';

const START_MS = 1_700_000_000_000;
const homes: string[] = [];
afterEach(async () => {
  for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
});

/**
 * A fake wall clock: each sleep hands control to `onSleep`, which may move
 * the clock (by the time slept, or by a jump) or stop the agent.
 */
function fakeClock(onSleep: (ms: number, clock: { now: number }) => void): AgentClock & { now: number; sleeps: number[] } {
  const clock = {
    now: START_MS,
    sleeps: [] as number[],
    nowMs: () => clock.now,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      onSleep(ms, clock);
    },
  };
  return clock;
}

/** A session holding a one-hour token that cannot be refreshed (no refresh token, a person's flow): no network is ever needed. */
async function sessionWithToken(): Promise<SessionContext> {
  const store = createMemoryStore();
  const issuedAt = START_MS / 1000;
  await store.set(tokenKey('dev'), {
    kind: 'oauth',
    flow: 'device',
    client_id: 'authctl',
    server: { issuer: 'https://idp.example.com', token_endpoint: 'https://idp.example.com/token' },
    tokens: { access_token: 'hour-token', token_type: 'Bearer', issued_at: issuedAt, expires_at: issuedAt + 3600 },
  });
  return { profile: { name: 'dev' }, store } as unknown as SessionContext;
}

describe('agent loop on an injected clock', () => {
  test('never sleeps longer than MAX_SLEEP_MS, and after a jump past expiry (a laptop asleep) removes the sink at the next wake', async () => {
    const home = await mkdtemp(join(tmpdir(), 'authctl-agent-clock-'));
    homes.push(home);
    const stop = new AbortController();
    const sinkSeen: boolean[] = [];
    const clock = fakeClock((ms, c) => {
      sinkSeen.push(existsSync(join(home, 'sinks', 'dev', 'token')));
      // First sleep: two hours pass at once. Afterwards: time moves as slept, until the third sleep.
      c.now += clock.sleeps.length === 1 ? 2 * 3600_000 : ms;
      if (clock.sleeps.length === 3) stop.abort();
    });
    const session = await sessionWithToken();
    const lines: string[] = [];
    await runAgent({ home, profiles: ['dev'], open: async () => session, clock, random: () => 0.5, log: (line) => lines.push(line), signal: stop.signal, pid: process.pid });

    // Written at first, then gone at the wake after the jump, without waiting for a timer to the old refresh time.
    expect(sinkSeen[0]).toBe(true);
    expect(sinkSeen[1]).toBe(false);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(MAX_SLEEP_MS);
    expect(lines.some((line) => /dev: sink removed/.test(line))).toBe(true);
    const status = JSON.parse(await readFile(join(home, 'agent-status.json'), 'utf8')) as { profiles: { dev: { state: string; reason: string } } };
    expect(status.profiles.dev.state).toBe('removed');
    expect(status.profiles.dev.reason).toMatch(/^LOGIN_REQUIRED: /);
  });

  test('failures back off exponentially while the sink holds the still-valid token', async () => {
    const home = await mkdtemp(join(tmpdir(), 'authctl-agent-clock-'));
    homes.push(home);
    const stop = new AbortController();
    // Start inside the agent's refresh time: the token cannot be renewed, so each attempt fails.
    const clock = fakeClock((ms, c) => {
      c.now += ms;
      if (clock.sleeps.length === 4) stop.abort();
    });
    clock.now = START_MS + 3000_000;
    await runAgent({ home, profiles: ['dev'], open: sessionWithToken, clock, random: () => 1, log: () => {}, signal: stop.signal, pid: process.pid });
    expect(clock.sleeps).toEqual([1000, 2000, 4000, 8000]);
    // Stopped: the sink it wrote is removed with it.
    expect(existsSync(join(home, 'sinks', 'dev'))).toBe(false);
    const status = JSON.parse(await readFile(join(home, 'agent-status.json'), 'utf8')) as { profiles: { dev: { state: string; failures: number } } };
    expect(status.profiles.dev).toMatchObject({ state: 'retrying', failures: 4 });
  });
});
