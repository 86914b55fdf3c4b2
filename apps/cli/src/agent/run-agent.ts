import { AuthError, getToken, removeSinks, writeFileAtomic, writeSinks, type SessionContext, type TokenSet } from '@auth/core';
import { join } from 'node:path';
import { backoffMs, refreshAtMs, SINK_MARGIN_MS, sinkWorthy } from './refresh-schedule.js';

/** Wall-clock time and waiting, injected so tests prove the schedule on a fake clock. */
export interface AgentClock {
  nowMs(): number;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const realAgentClock: AgentClock = {
  nowMs: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
};

/**
 * The longest the agent sleeps before looking at the wall clock again: a
 * timer does not advance while a laptop sleeps, and the clock may jump, so
 * every wake recomputes what is due from expiry times, never from elapsed
 * timers.
 */
export const MAX_SLEEP_MS = 10_000;

export interface AgentOptions {
  home: string;
  profiles: string[];
  open(profile: string): Promise<SessionContext>;
  clock: AgentClock;
  random: () => number;
  log(line: string): void;
  signal: AbortSignal;
  pid: number;
}

export type ProfileState =
  | { state: 'starting' }
  | { state: 'fresh'; expires_at: number; next_refresh_at: number }
  | { state: 'retrying'; expires_at: number; reason: string; failures: number }
  | { state: 'removed'; reason: string; failures: number };

/** The agent's view of each profile, in `<home>/agent-status.json` (the pid of its writer beside it). */
export function agentStatusFile(home: string): string {
  return join(home, 'agent-status.json');
}

/** Keeps every profile's sinks fresh until `signal` aborts, then removes them. */
export async function runAgent(options: AgentOptions): Promise<void> {
  const states = new Map<string, ProfileState>(options.profiles.map((profile) => [profile, { state: 'starting' }]));
  let statusWrite = Promise.resolve();
  const report = (profile: string, state: ProfileState): void => {
    states.set(profile, state);
    const body = `${JSON.stringify({ pid: options.pid, profiles: Object.fromEntries(states) })}\n`;
    statusWrite = statusWrite.then(() => writeFileAtomic(agentStatusFile(options.home), body)).catch(() => {});
  };
  await Promise.all(options.profiles.map((profile) => keepFresh(options, profile, report)));
  await statusWrite;
}

async function keepFresh(options: AgentOptions, profile: string, report: (profile: string, state: ProfileState) => void): Promise<void> {
  const { clock, signal } = options;
  const session: SessionContext = { ...(await options.open(profile)), now: () => Math.floor(clock.nowMs() / 1000) };
  let sink: TokenSet | undefined;
  let failures = 0;
  let reason = '';
  let dueAt = clock.nowMs();
  while (!signal.aborted) {
    let now = clock.nowMs();
    if (sink !== undefined && !sinkWorthy(sink, now)) {
      await removeSinks(options.home, profile);
      options.log(`${profile}: sink removed, its token expires before a new one could be had (${reason})`);
      report(profile, { state: 'removed', reason, failures });
      sink = undefined;
    }
    if (now >= dueAt) {
      const jitter = options.random();
      try {
        let token = await getToken(session);
        if (refreshAtMs(token, () => jitter) <= now) token = await getToken(session, { renewAccessToken: token.access_token });
        now = clock.nowMs();
        if (sinkWorthy(token, now) && sink?.access_token !== token.access_token) {
          await writeSinks(options.home, profile, token, options.pid);
          options.log(`${profile}: sink written, token valid until ${new Date(token.expires_at * 1000).toISOString()}`);
          sink = token;
        }
        const nextRefresh = refreshAtMs(token, () => jitter);
        // The token manager hands back the cached token when a refresh fails while it is still valid.
        if (nextRefresh <= now) throw new AuthError('NETWORK', 'the token could not be refreshed ahead of expiry (the IdP is unreachable or refused)');
        failures = 0;
        dueAt = nextRefresh;
        report(profile, { state: 'fresh', expires_at: token.expires_at, next_refresh_at: Math.round(nextRefresh / 1000) });
      } catch (error) {
        if (signal.aborted) break;
        failures += 1;
        reason = AuthError.is(error) ? `${error.code}: ${error.message}` : String(error);
        dueAt = clock.nowMs() + backoffMs(failures, options.random);
        options.log(`${profile}: refresh failed (attempt ${failures}, next in ${Math.round((dueAt - clock.nowMs()) / 1000)} s): ${reason}`);
        report(profile, sink === undefined ? { state: 'removed', reason, failures } : { state: 'retrying', expires_at: sink.expires_at, reason, failures });
      }
    }
    now = clock.nowMs();
    const removeAt = sink === undefined ? Infinity : sink.expires_at * 1000 - SINK_MARGIN_MS;
    await clock.sleep(Math.max(0, Math.min(dueAt, removeAt, now + MAX_SLEEP_MS) - now), signal);
  }
  // Nobody keeps it fresh from now on: a file reader (kubectl's tokenFile) would meet it expired.
  await removeSinks(options.home, profile);
}
