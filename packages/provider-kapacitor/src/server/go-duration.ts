/**
 * kapacitor.conf durations (`cache-expiration = "10m"`) are Go `time.ParseDuration`
 * strings: a sequence of decimal numbers each with a unit (`1h30m`, `1.5s`, `500ms`),
 * or a bare `0`. The npm duration parsers accept more (`10 minutes`, `1d`), which
 * Kapacitor would refuse, so a config valid here would not be valid there.
 * https://pkg.go.dev/time#ParseDuration
 */
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const TERM = /(\d*(?:\.\d*)?)([^\d.]+)/y;

/** Milliseconds, or an error message in Go's words. */
export function parseGoDuration(text: string): { ms: number } | { error: string } {
  const invalid = { error: `time: invalid duration ${JSON.stringify(text)}` };
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return { ms: 0 };
  if (rest === '') return invalid;
  let total = 0;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < rest.length) {
    const start = TERM.lastIndex;
    const match = TERM.exec(rest);
    if (!match || match.index !== start) {
      return /^[\d.]+$/.test(rest.slice(start)) ? { error: `time: missing unit in duration ${JSON.stringify(text)}` } : invalid;
    }
    const [, number = '', unit = ''] = match;
    if (number === '' || number === '.') return invalid;
    const scale = UNIT_MS[unit];
    if (scale === undefined) return { error: `time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}` };
    total += Number(number) * scale;
  }
  return { ms: sign * total };
}
