import { describe, expect, test } from 'vitest';
import { backoffMs, MAX_BACKOFF_MS, MIN_BACKOFF_MS, refreshAtMs, SINK_MARGIN_MS, sinkWorthy } from '../src/agent/refresh-schedule.js';

const ISSUED = 1_700_000_000;

describe('agent refresh schedule', () => {
  test('an hour-long token is refreshed at about two thirds of its lifetime, jitter only moving it earlier', () => {
    const token = { issued_at: ISSUED, expires_at: ISSUED + 3600 };
    expect(refreshAtMs(token, () => 0)).toBe((ISSUED + 2400) * 1000);
    expect(refreshAtMs(token, () => 1)).toBe((ISSUED + 2400 - 360) * 1000);
  });

  test('a short-lived token is refreshed before the window in which print-token would refresh it itself', () => {
    // 12 s: print-token refreshes with 5 s left; the agent a second before that.
    const token = { issued_at: ISSUED, expires_at: ISSUED + 12 };
    expect(refreshAtMs(token, () => 0)).toBe((ISSUED + 12 - 5) * 1000 - SINK_MARGIN_MS);
  });

  test('the refresh time comes from the expiry, so a wake after a clock jump or sleep finds it due at once', () => {
    const token = { issued_at: ISSUED, expires_at: ISSUED + 3600 };
    const afterSleep = (ISSUED + 3000) * 1000;
    expect(refreshAtMs(token, () => 0.5)).toBeLessThanOrEqual(afterSleep);
  });

  test('back-off doubles from a second up to five minutes, jittered within the upper half', () => {
    expect(backoffMs(1, () => 1)).toBe(MIN_BACKOFF_MS);
    expect(backoffMs(3, () => 1)).toBe(4 * MIN_BACKOFF_MS);
    expect(backoffMs(3, () => 0)).toBe(2 * MIN_BACKOFF_MS);
    expect(backoffMs(50, () => 1)).toBe(MAX_BACKOFF_MS);
  });

  test('a token within the sink margin of its expiry is not sink-worthy', () => {
    const token = { expires_at: ISSUED + 10 };
    expect(sinkWorthy(token, (ISSUED + 8) * 1000)).toBe(true);
    expect(sinkWorthy(token, (ISSUED + 10) * 1000 - SINK_MARGIN_MS)).toBe(false);
  });
});
