import { expect } from 'vitest';
import type { RunResult } from '../../support/sandbox.js';

/** One `login --json` line: an object with an `event` name. */
export type JsonEvent = { event: string } & Record<string, unknown>;

/** Parses one stdout line, failing the test (with the line) when it is not a JSON event object. */
export function parseEvent(line: string): JsonEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`stdout line is not JSON: ${JSON.stringify(line)}`);
  }
  expect(value, line).toEqual(expect.objectContaining({ event: expect.any(String) }));
  return value as JsonEvent;
}

/** Every stdout line as an event: `--json` output has no other kind of line. */
export function jsonEvents(stdout: string): JsonEvent[] {
  expect(stdout.endsWith('\n'), 'stdout ends with a newline').toBe(true);
  return stdout.slice(0, -1).split('\n').map(parseEvent);
}

/** A `logged_in` event for `profile` whose token is still valid now. */
function expectLoggedIn(event: JsonEvent | undefined, profile = 'dev'): void {
  expect(Object.keys(event ?? {})).toEqual(['event', 'profile', 'expires_at']);
  expect(event).toEqual({ event: 'logged_in', profile, expires_at: expect.any(Number) });
  expect(event!.expires_at as number).toBeGreaterThan(Date.now() / 1000);
}

/** A login that succeeded: exit 0, and stdout is exactly `first` then a valid `logged_in` event. */
export function expectLoginEvents(result: RunResult, first: 'open_url' | 'device_code'): [JsonEvent, JsonEvent] {
  expect(result.code, result.stderr).toBe(0);
  const events = jsonEvents(result.stdout);
  expect(events.map((event) => event.event)).toEqual([first, 'logged_in']);
  expectLoggedIn(events[1]);
  return events as [JsonEvent, JsonEvent];
}
