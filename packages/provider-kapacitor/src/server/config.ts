import { AuthError } from '@auth/core/provider';
import { z } from 'zod';
import { parseGoDuration } from './go-duration.js';

/**
 * A gateway route's auth table for the `kapacitor` provider. The `http` and
 * `auth` sub-tables take kapacitor.conf's `[http]` and `[auth]` keys under
 * their Kapacitor names, so an existing kapacitor.conf section can be pasted in;
 * the top-level keys are the gateway's own.
 */
const httpTable = z.strictObject({
  'auth-enabled': z.boolean().optional(),
  'shared-secret': z.string().optional(),
});

const authTable = z.strictObject({
  enabled: z.boolean().optional(),
  'cache-expiration': z.string().optional(),
  'bcrypt-cost': z.number().int().optional(),
  directory: z.enum(['meta', 'oss']).optional(),
  'meta-addr': z.string().optional(),
  'meta-username': z.string().optional(),
  'meta-password': z.string().optional(),
  'meta-internal-shared-secret': z.string().optional(),
  'meta-use-tls': z.boolean().optional(),
  'meta-ca': z.string().optional(),
  'meta-cert': z.string().optional(),
  'meta-key': z.string().optional(),
  'meta-insecure-skip-verify': z.boolean().optional(),
});

export const kapacitorGatewayConfig = z.strictObject({
  /** The route's provider name, when the gateway leaves it in the table it hands over. */
  provider: z.string().optional(),
  api: z.enum(['kapacitor', 'influxdb']).optional(),
  'env-prefix': z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/, 'must be upper-case letters, digits and _ (e.g. KAPACITOR)')
    .optional(),
  'upstream-credentials': z.enum(['remove', 'pass', 'shared-secret-jwt']).optional(),
  'upstream-shared-secret': z.string().optional(),
  'upstream-token-ttl': z.string().optional(),
  'subscription-tokens-file': z.string().optional(),
  'user-cache-size': z.number().int().optional(),
  'negative-cache-expiration': z.string().optional(),
  http: httpTable.optional(),
  auth: authTable.optional(),
});

export type KapacitorGatewayConfig = z.infer<typeof kapacitorGatewayConfig>;

export type UpstreamCredentials = 'remove' | 'pass' | 'shared-secret-jwt';

/** How the directory authenticates itself to the meta node or influxd (`setAuth` in Kapacitor's meta client). */
export type DirectoryAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  /** HS512 `{username: "", exp}` signed with `meta-internal-shared-secret`, which Kapacitor prefers over a username. */
  | { readonly kind: 'internal-shared-secret'; readonly secret: string };

/** What a user directory is opened with. */
export interface DirectorySettings {
  /** `meta`: an InfluxDB Enterprise meta node; `oss`: an InfluxDB OSS 1.x server. */
  readonly kind: 'meta' | 'oss';
  /** `http(s)://<meta-addr>`. */
  readonly url: string;
  readonly auth: DirectoryAuth;
  readonly tls: { readonly ca?: string; readonly cert?: string; readonly key?: string; readonly insecureSkipVerify: boolean };
  /** For error messages: the auth table's location. */
  readonly where: string;
}

export interface KapacitorGatewaySettings {
  readonly api: 'kapacitor' | 'influxdb';
  /** Empty: bearer tokens are refused (Kapacitor would verify them with an empty HMAC key). */
  readonly sharedSecret: string;
  readonly cacheExpirationMs: number;
  readonly bcryptCost: number;
  readonly negativeCacheMs: number;
  readonly userCacheSize: number;
  readonly upstream: { readonly credentials: UpstreamCredentials; readonly secret: string; readonly tokenTtlMs: number };
  readonly subscriptionTokensFile?: string;
  readonly directory: DirectorySettings;
}

const DEFAULTS = {
  cacheExpiration: '10m',
  bcryptCost: 10,
  negativeCacheExpiration: '5s',
  upstreamTokenTtl: '1m',
  userCacheSize: 10_000,
} as const;

type Kind = 'bool' | 'int' | 'string';
type Section = 'http' | 'auth' | 'gateway';

const HTTP_KINDS: Readonly<Record<keyof z.infer<typeof httpTable>, Kind>> = {
  'auth-enabled': 'bool',
  'shared-secret': 'string',
};
const AUTH_KINDS: Readonly<Record<keyof z.infer<typeof authTable>, Kind>> = {
  enabled: 'bool',
  'cache-expiration': 'string',
  'bcrypt-cost': 'int',
  directory: 'string',
  'meta-addr': 'string',
  'meta-username': 'string',
  'meta-password': 'string',
  'meta-internal-shared-secret': 'string',
  'meta-use-tls': 'bool',
  'meta-ca': 'string',
  'meta-cert': 'string',
  'meta-key': 'string',
  'meta-insecure-skip-verify': 'bool',
};
const GATEWAY_KINDS = {
  api: 'string',
  'upstream-credentials': 'string',
  'upstream-shared-secret': 'string',
  'upstream-token-ttl': 'string',
  'subscription-tokens-file': 'string',
  'user-cache-size': 'int',
  'negative-cache-expiration': 'string',
} as const satisfies Partial<Record<keyof KapacitorGatewayConfig, Kind>>;

/** The environment variable Kapacitor reads for a key (`server/config.go` `ApplyEnvOverrides`): prefix, section, key, `-` → `_`. */
export function envName(prefix: string, section: Section, key: string): string {
  return `${prefix}_${section}_${key}`.toUpperCase().replaceAll('-', '_');
}

/**
 * Applies the environment (it wins over the file, as in Kapacitor), the
 * defaults, and the checks, into the settings the authenticator runs on.
 * Every error names the key as `<where>.<section>.<key>` and, when the value
 * came from the environment, the variable.
 */
export function resolveSettings(
  config: KapacitorGatewayConfig,
  where: string,
  env: Readonly<Record<string, string | undefined>>,
): KapacitorGatewaySettings {
  const prefix = config['env-prefix'] ?? 'KAPACITOR';
  const fromEnv = new Map<string, string>();
  const overlay = <T extends object>(table: T | undefined, kinds: Readonly<Record<string, Kind>>, section: Section): T => {
    const merged: Record<string, unknown> = { ...table };
    for (const [key, kind] of Object.entries(kinds)) {
      const name = envName(prefix, section, key);
      const raw = env[name];
      if (raw === undefined) continue;
      merged[key] = envValue(raw, kind, name, keyPath(where, section, key));
      fromEnv.set(keyPath(where, section, key), name);
    }
    return merged as T;
  };
  const merged = {
    ...overlay(config, GATEWAY_KINDS, 'gateway'),
    http: overlay(config.http, HTTP_KINDS, 'http'),
    auth: overlay(config.auth, AUTH_KINDS, 'auth'),
  };

  const fail = (section: Section, key: string, message: string, hint: string): never => {
    const path = keyPath(where, section, key);
    const source = fromEnv.get(path);
    throw new AuthError('CONFIG_INVALID', `${path}${source ? ` (from ${source})` : ''}: ${message}`, { key: path, hint });
  };
  const checked = kapacitorGatewayConfig.safeParse(merged);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const unknown = issue?.code === 'unrecognized_keys';
    const path = [...(issue?.path ?? []), ...(unknown ? issue.keys.slice(0, 1) : [])].map(String);
    const [first, second] = path;
    const [section, key]: [Section, string] = first === 'http' || first === 'auth' ? [first, second ?? ''] : ['gateway', first ?? ''];
    const message = unknown ? 'is not a key of this table' : (issue?.message ?? 'invalid value');
    return fail(section, key, message, 'see the @auth/provider-kapacitor README for the keys and their types');
  }
  const { http = {}, auth = {}, ...top } = checked.data;

  if (http['auth-enabled'] === false) {
    fail('http', 'auth-enabled', 'false would let every request through as an admin (Kapacitor skips authentication)', 'set it to true, or remove the auth table from a route that needs no authentication');
  }
  if (auth.enabled === false) {
    fail('auth', 'enabled', "false selects Kapacitor's noauth service, which accepts any username and password as an admin", 'set it to true and configure meta-addr');
  }

  const bcryptCost = auth['bcrypt-cost'] ?? DEFAULTS.bcryptCost;
  if (bcryptCost < 4) fail('auth', 'bcrypt-cost', `must provide a bcrypt cost >= 4, got ${bcryptCost}`, 'use 10, the bcrypt default');
  if (bcryptCost > 31) fail('auth', 'bcrypt-cost', `must provide a bcrypt cost <= 31, got ${bcryptCost}`, 'use 10, the bcrypt default');

  const duration = (section: Section, key: string, value: string | undefined, fallback: string): number => {
    const parsed = parseGoDuration(value ?? fallback);
    if ('error' in parsed) return fail(section, key, parsed.error, 'write a Go duration such as "10m", "1h30m" or "90s"');
    if (parsed.ms < 0) return fail(section, key, `must not be negative, got ${JSON.stringify(value)}`, 'write a duration such as "10m"');
    return parsed.ms;
  };
  const cacheExpirationMs = duration('auth', 'cache-expiration', auth['cache-expiration'], DEFAULTS.cacheExpiration);
  const negativeCacheMs = duration('gateway', 'negative-cache-expiration', top['negative-cache-expiration'], DEFAULTS.negativeCacheExpiration);
  const tokenTtlMs = duration('gateway', 'upstream-token-ttl', top['upstream-token-ttl'], DEFAULTS.upstreamTokenTtl);

  const userCacheSize = top['user-cache-size'] ?? DEFAULTS.userCacheSize;
  if (userCacheSize < 1) fail('gateway', 'user-cache-size', `must be at least 1, got ${userCacheSize}`, 'use the default, 10000');

  const credentials = top['upstream-credentials'] ?? 'remove';
  const upstreamSecret = top['upstream-shared-secret'] ?? '';
  if (credentials === 'shared-secret-jwt' && upstreamSecret === '') {
    fail('gateway', 'upstream-shared-secret', 'is required when upstream-credentials = "shared-secret-jwt"', `set it, or ${envName(prefix, 'gateway', 'upstream-shared-secret')}, to the upstream's [http] shared-secret`);
  }
  if (tokenTtlMs < 1000) fail('gateway', 'upstream-token-ttl', 'must be at least 1s (JWT expiry is in whole seconds)', 'use the default, "1m"');

  const addr = (auth['meta-addr'] ?? '').trim();
  if (addr === '') {
    fail('auth', 'meta-addr', 'is required: the gateway reads users from an InfluxDB Enterprise meta node or an InfluxDB OSS server, never from a local store', 'set it to host:port, e.g. "172.17.0.2:8091"');
  }
  if (addr.includes('://') || addr.includes('/')) {
    fail('auth', 'meta-addr', `must be host:port, got ${JSON.stringify(addr)}`, 'drop the scheme and path; meta-use-tls = true selects https');
  }
  const cert = auth['meta-cert'];
  const key = auth['meta-key'];
  if ((cert === undefined) !== (key === undefined)) {
    fail('auth', cert === undefined ? 'meta-cert' : 'meta-key', 'meta-cert and meta-key must be set together', 'set both to PEM files, or neither');
  }

  const secret = auth['meta-internal-shared-secret'] ?? '';
  const username = auth['meta-username'] ?? '';
  const directoryAuth: DirectoryAuth =
    secret !== ''
      ? { kind: 'internal-shared-secret', secret }
      : username !== ''
        ? { kind: 'basic', username, password: auth['meta-password'] ?? '' }
        : { kind: 'none' };

  return {
    api: top.api ?? 'kapacitor',
    sharedSecret: http['shared-secret'] ?? '',
    cacheExpirationMs,
    bcryptCost,
    negativeCacheMs,
    userCacheSize,
    upstream: { credentials, secret: upstreamSecret, tokenTtlMs },
    ...(top['subscription-tokens-file'] ? { subscriptionTokensFile: top['subscription-tokens-file'] } : {}),
    directory: {
      kind: auth.directory ?? 'meta',
      url: `${auth['meta-use-tls'] ? 'https' : 'http'}://${addr}`,
      auth: directoryAuth,
      tls: {
        ...(auth['meta-ca'] ? { ca: auth['meta-ca'] } : {}),
        ...(cert ? { cert } : {}),
        ...(key ? { key } : {}),
        insecureSkipVerify: auth['meta-insecure-skip-verify'] ?? false,
      },
      where: `${where}.auth`,
    },
  };
}

function keyPath(where: string, section: Section, key: string): string {
  return section === 'gateway' ? `${where}.${key}` : `${where}.${section}.${key}`;
}

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Kapacitor parses env values with `strconv.ParseBool` and `strconv.Atoi`; the same spellings are accepted here. */
function envValue(raw: string, kind: Kind, name: string, path: string): unknown {
  if (kind === 'string') return raw;
  if (kind === 'bool') {
    if (GO_TRUE.has(raw)) return true;
    if (GO_FALSE.has(raw)) return false;
  } else if (/^[+-]?\d+$/.test(raw)) {
    return Number(raw);
  }
  throw new AuthError('CONFIG_INVALID', `${name} (for ${path}): expected ${kind === 'bool' ? 'true or false' : 'an integer'}`, {
    key: path,
    hint: `fix or unset ${name}`,
  });
}
