import { AuthError } from '../errors.js';

/**
 * A CONFIG_INVALID error in the one shape every config problem uses:
 * `<file>: <key> <what is wrong>`, with the key in `details` and a hint.
 * Zod-free: the `print-token` hot path reports config errors too.
 */
export function configError(
  file: string,
  key: string | undefined,
  problem: string,
  extra: { profile?: string; hint?: string; cause?: unknown } = {},
): AuthError {
  const where = key === undefined ? '' : /^(must|is|has) /.test(problem) ? `${key} ` : `${key}: `;
  return new AuthError('CONFIG_INVALID', `${file}: ${where}${problem}`, {
    file,
    ...(key === undefined ? {} : { key }),
    ...(extra.profile === undefined ? {} : { profile: extra.profile }),
    hint: extra.hint ?? (key === undefined ? `fix ${file}` : `fix ${key} in ${file}`),
    ...(extra.cause === undefined ? {} : { cause: extra.cause }),
  });
}

/** A TOML table (smol-toml gives null-prototype objects; dates are `Date`s). */
export function isTable(value: unknown): value is Record<string, unknown> {
  return Object.prototype.toString.call(value) === '[object Object]';
}

/** A short, quoted rendering of a config value for "(got ...)". */
export function describeValue(value: unknown): string {
  if (isTable(value)) return 'a table';
  // JSON spells inf and nan (valid TOML) as null.
  const text =
    value instanceof Date
      ? value.toISOString()
      : typeof value === 'number' && !Number.isFinite(value)
        ? String(value)
        : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
