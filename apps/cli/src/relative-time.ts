const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400],
  ['hour', 3600],
  ['minute', 60],
];

/**
 * `in 59 minutes`, `3 hours ago`: how far `epochSeconds` is from `now`, in
 * the largest unit it fills (rounded towards now, so a token is never shown
 * as living longer than it does); hours up to two days.
 */
export function relativeTime(epochSeconds: number, now = Date.now() / 1000): string {
  const delta = epochSeconds - now;
  const size = Math.abs(delta);
  const [unit, seconds] = UNITS.find(([name, length]) => size >= (name === 'day' ? 2 * length : length)) ?? ['second', 1];
  const amount = Math.trunc(size / seconds) * Math.sign(delta);
  return new Intl.RelativeTimeFormat('en', { numeric: 'always' }).format(Object.is(amount, -0) ? 0 : amount, unit);
}
