/**
 * One error class for the whole toolkit. The `code` is a closed union that
 * scripts and plugins can rely on; identity is checked with a `Symbol.for`
 * brand, so an error thrown by a plugin that bundles its own copy of core is
 * still recognised (`AuthError.is(err)`), where `instanceof` would fail.
 *
 * Messages say what is wrong and where; `hint` says what to do next. Neither
 * ever contains a secret: callers pass names and paths, never values.
 */

export const ERROR_CODES = [
  'LOGIN_REQUIRED',
  'INVALID_GRANT',
  'ACCESS_DENIED',
  'EXPIRED_TOKEN',
  'INVALID_CLIENT',
  'INVALID_CREDENTIALS',
  'CONFIG_INVALID',
  'PROFILE_NOT_FOUND',
  /** Two installed packages claim one provider id. */
  'PROVIDER_CONFLICT',
  'USAGE',
  'PROVIDER_NOT_FOUND',
  'PROVIDER_UNSUPPORTED_VERSION',
  'NETWORK',
  'TIMEOUT',
  'PROTOCOL',
  'STORE_UNAVAILABLE',
  'STORE_CORRUPT',
  'STORE_INSECURE',
  'CANCELLED',
  'INTERNAL',
] as const;

export type AuthErrorCode = (typeof ERROR_CODES)[number];

/** Where an error happened and what the user can do about it. */
export interface AuthErrorDetails {
  /** A file the error is about (config.toml, a credential file). */
  file?: string;
  /** The profile the error is about. */
  profile?: string;
  /** The config key the error is about, dotted (`profiles.dev.issuer`). */
  key?: string;
  /** The URL the error is about. Never carries credentials. */
  url?: string;
  /** HTTP status from the remote side, when there was one. */
  status?: number;
  /** The OAuth `error` value from the remote side, when there was one. */
  oauthError?: string;
  /** The next step, e.g. "run `authctl login --profile dev`". */
  hint?: string;
}

export interface AuthErrorOptions extends AuthErrorDetails {
  cause?: unknown;
}

const BRAND = Symbol.for('@auth/core/AuthError');

export class AuthError extends Error {
  readonly code: AuthErrorCode;
  readonly details: AuthErrorDetails;
  readonly [BRAND] = true;

  constructor(code: AuthErrorCode, message: string, options: AuthErrorOptions = {}) {
    const { cause, ...details } = options;
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'AuthError';
    this.code = code;
    this.details = details;
  }

  get hint(): string | undefined {
    return this.details.hint;
  }

  /**
   * Recognises an AuthError from any copy of this package (the brand), and one a
   * plugin built without importing core at runtime: an Error named `AuthError`
   * with a known `code` and a `details` object.
   */
  static is(value: unknown): value is AuthError {
    if (typeof value !== 'object' || value === null) return false;
    if ((value as Record<symbol, unknown>)[BRAND] === true) return true;
    const { name, code, details } = value as { name?: unknown; code?: unknown; details?: unknown };
    return value instanceof Error && name === 'AuthError' && (ERROR_CODES as readonly unknown[]).includes(code) && typeof details === 'object' && details !== null;
  }
}

/**
 * Exit codes of ARCHITECTURE.md: 0 ok, 1 unexpected, 2 usage or config,
 * 3 login required, 4 denied or invalid credentials, 5 network or timeout.
 */
export const EXIT_CODES: Readonly<Record<AuthErrorCode, number>> = {
  LOGIN_REQUIRED: 3,
  INVALID_GRANT: 3,
  EXPIRED_TOKEN: 3,
  STORE_CORRUPT: 3,
  ACCESS_DENIED: 4,
  INVALID_CLIENT: 4,
  INVALID_CREDENTIALS: 4,
  CONFIG_INVALID: 2,
  PROFILE_NOT_FOUND: 2,
  PROVIDER_CONFLICT: 2,
  USAGE: 2,
  PROVIDER_NOT_FOUND: 2,
  PROVIDER_UNSUPPORTED_VERSION: 2,
  STORE_INSECURE: 2,
  NETWORK: 5,
  TIMEOUT: 5,
  PROTOCOL: 5,
  STORE_UNAVAILABLE: 1,
  CANCELLED: 1,
  INTERNAL: 1,
};

export function exitCodeFor(error: unknown): number {
  return AuthError.is(error) ? EXIT_CODES[error.code] : 1;
}
