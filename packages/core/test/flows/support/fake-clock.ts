import { cancelled } from '../../../src/flows/wait.js';

/**
 * A clock for SessionContext's `now` and `sleep`: sleeping moves it forward
 * at once, so a rule about waiting (a polling interval, an expiry) is proven
 * without waiting for it. `slept` lists every sleep, in milliseconds.
 */
export interface FakeClock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  slept: number[];
}

export function fakeClock(startSeconds = Math.floor(Date.now() / 1000)): FakeClock {
  let nowMs = startSeconds * 1000;
  const slept: number[] = [];
  return {
    now: () => Math.floor(nowMs / 1000),
    slept,
    async sleep(ms, signal) {
      if (signal.aborted) throw cancelled(signal);
      slept.push(ms);
      nowMs += ms;
    },
  };
}
