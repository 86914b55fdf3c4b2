import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { gatewaySchema } from '../gateway/gateway-config.js';
import { clientIdOf, identitySchema } from '../machine/identity-config.js';
import { isScryptHash } from '../secrets/scrypt-hash.js';
import { isLoopbackHost, parseListenAddress } from './listen-address.js';
import { redisOptionsSchema, stateUrl } from '../redis/state-backend-config.js';

/**
 * The server's config file (TOML or YAML), after validation. Secrets are only
 * ever stored as PHC scrypt hashes (`auth-server hash-password`).
 */

export const GRANTS = ['authorization_code', 'refresh_token', 'device_code', 'client_credentials'] as const;
export type GrantName = (typeof GRANTS)[number];

/** JWS algorithms the issuer can sign tokens with (RFC 7518 §3.3, §3.4; RFC 8037 §3.1). */
export const SIGNING_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/**
 * What one process serves: `issuer` (the OpenID issuer and the machine
 * login API, on `listen`) and `gateway` (on `gateway.listen`).
 */
export const ROLES = ['issuer', 'gateway'] as const;
export type RoleName = (typeof ROLES)[number];

const absoluteUrl = z
  .string()
  .refine((value) => URL.canParse(value), { error: 'must be a URL' })
  .refine((value) => !URL.canParse(value) || new URL(value).hash === '', { error: 'must not have a #fragment' });

const httpUrl = absoluteUrl.refine((value) => !URL.canParse(value) || /^https?:$/.test(new URL(value).protocol), {
  error: 'must be an http:// or https:// URL',
});

/** An absolute URL, or a path on the issuer itself (`/oauth/code`), resolved against the issuer URL. */
const redirectUri = z.string().refine((value) => /^\/(?!\/)/.test(value) || URL.canParse(value), {
  error: 'must be a URL, or a path on the issuer starting with /',
});

const scryptHash = z.string().refine(isScryptHash, {
  error: 'must be a PHC scrypt hash ($scrypt$ln=...,r=...,p=...$salt$hash); make one with `auth-server hash-password`',
});

const seconds = z.number().int({ error: 'must be a whole number of seconds' }).positive({ error: 'must be positive' });
const scopeToken = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, { error: 'must be a scope name without spaces' });

const claimValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

const userSchema = z.strictObject({
  username: z.string().min(1, { error: 'must not be empty' }),
  password_hash: scryptHash,
  claims: z.record(z.string(), claimValue).default({}),
});

/** A public JWK: private members would make the config file a key store. */
const publicJwk = z
  .looseObject({ kty: z.string() })
  .refine((jwk) => !['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].some((member) => member in jwk), {
    error: 'must be a public key (no private or symmetric members)',
  });

const pemCertificate = z.string().refine(isX509Certificate, { error: 'must be a PEM X.509 certificate (-----BEGIN CERTIFICATE-----)' });

function isX509Certificate(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}

const clientSchema = z.strictObject({
  client_id: z.string().regex(/^[\x21-\x7E]+$/, { error: 'must be printable ASCII without spaces' }),
  name: z.string().optional(),
  /** Present for a confidential client that authenticates with a secret; a public client (a CLI) has none. */
  secret_hash: scryptHash.optional(),
  /** `private_key_jwt` (RFC 7523 §2.2) needs `jwks` or `certificate`: the keys its assertions are signed with. */
  token_endpoint_auth_method: z.enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt']).default('client_secret_basic'),
  jwks: z.strictObject({ keys: z.array(publicJwk).min(1, { error: 'must hold at least one key' }) }).optional(),
  certificate: pemCertificate.optional(),
  grants: z.array(z.enum(GRANTS)).min(1, { error: 'must list at least one grant' }),
  redirect_uris: z.array(redirectUri).default([]),
  /** Where RP-initiated logout may send the browser back to (OpenID Connect RP-Initiated Logout 1.0 §3). */
  post_logout_redirect_uris: z.array(redirectUri).default([]),
  scopes: z.array(scopeToken).optional(),
  access_token_ttl: seconds.optional(),
  refresh_token_ttl: seconds.optional(),
});

const resourceSchema = z.strictObject({
  /** RFC 8707 resource indicator: the `aud` of the JWT access tokens issued for it. */
  identifier: absoluteUrl,
  scopes: z.array(scopeToken).default([]),
  access_token_ttl: seconds.default(3600),
  /** Access tokens are issued for this resource when a request names none. */
  default: z.boolean().default(false),
});

const failureCount = z.number().int({ error: 'must be a whole number' }).positive({ error: 'must be positive' });

/** Password and client-secret guessing: see LockoutPolicy for how the lock grows. */
const lockoutSchema = z
  .strictObject({
    /** Failures per account (or client) before it is locked. */
    failures: failureCount.default(5),
    /** Failures from one client address, over all accounts and clients, before the address is locked. */
    address_failures: failureCount.default(20),
    /** The first lock; each further failure doubles it. */
    first_lock_seconds: seconds.default(1),
    max_lock_seconds: seconds.default(900),
  })
  .refine((lockout) => lockout.max_lock_seconds >= lockout.first_lock_seconds, {
    path: ['max_lock_seconds'],
    error: 'must be at least first_lock_seconds',
  });

/** `host` or `host:port`, as a client sends it in `Host` or `X-Forwarded-Host`. */
const hostName = z.string().refine((value) => /^[^/?#@\s]+$/.test(value) && URL.canParse(`http://${value}`), {
  error: 'must be a host name or host:port, without a scheme or path',
});

export const serverConfigSchema = z
  .strictObject({
    /** Defaults to `http://<listen>` (the bound port when listen's port is 0). */
    issuer: httpUrl.optional(),
    listen: z
      .string()
      .refine((value) => parseListenAddress(value) !== undefined, { error: 'must be HOST:PORT, e.g. 127.0.0.1:8080' })
      .default('127.0.0.1:8080'),
    /** The issuer's Prometheus `/metrics` on a listener of its own (never on `listen`); off when absent. */
    metrics_listen: z
      .string()
      .refine((value) => parseListenAddress(value) !== undefined, { error: 'must be HOST:PORT, e.g. 127.0.0.1:9101' })
      .optional(),
    /** Default: `issuer`, and `gateway` when a `[gateway]` table is present. */
    roles: z.array(z.enum(ROLES)).min(1, { error: 'must list at least one role' }).optional(),
    /** The issuer's keys and state; a gateway-only config has none. */
    data_dir: z.string().min(1, { error: 'must name a folder' }).optional(),
    /** Where state several instances share lives: absent, the data dir (one process); `redis://` or `rediss://`, one Redis for every instance. */
    state: stateUrl.optional(),
    /** How to reach the Redis `state` names. */
    redis: redisOptionsSchema.prefault({}),
    /** Accept an `http://` issuer on a non-loopback host (behind a TLS-terminating proxy). */
    allow_http: z.boolean().default(false),
    /** Trust `X-Forwarded-*` headers from a reverse proxy (one hop). */
    trust_proxy: z.boolean().default(false),
    /** Hosts besides the issuer's that requests may name (e.g. the upstream name a proxy sends); URLs still use the issuer. */
    trusted_hosts: z.array(hostName).default([]),
    lockout: lockoutSchema.prefault({}),
    /** The algorithm of ID tokens and JWT access tokens; its key is made on first start. */
    signing_alg: z.enum(SIGNING_ALGS).default('RS256'),
    users: z.array(userSchema).default([]),
    clients: z.array(clientSchema).default([]),
    resources: z.array(resourceSchema).default([]),
    /** Machine identities of the login API (`/api/v1/auth/<method>/login`). */
    identities: z.array(identitySchema).default([]),
    /** The gateway role: an upstream API behind per-route authentication. */
    gateway: gatewaySchema.optional(),
    /** Provider packages to load besides those found installed: package names, or paths relative to this file. */
    plugins: z.array(z.string().min(1, { error: 'must not be empty' })).default([]),
  })
  .superRefine(
    (config, ctx) => {
      // Also run beside other keys' problems, as a required key would be reported: read defensively.
      const roles = rolesOf({ roles: Array.isArray(config.roles) ? config.roles : undefined, gateway: config.gateway });
      if (roles.includes('gateway') && config.gateway === undefined) {
        ctx.addIssue({ code: 'custom', path: ['roles'], message: 'lists gateway, but there is no [gateway] table: add one (listen, upstream, [[gateway.routes]])' });
      }
      if (config.gateway !== undefined && !roles.includes('gateway')) {
        ctx.addIssue({ code: 'custom', path: ['gateway'], message: 'is set, but roles does not list gateway: add "gateway" to roles or remove the table' });
      }
      if (roles.includes('issuer') && config.data_dir === undefined) {
        ctx.addIssue({ code: 'custom', path: ['data_dir'], message: 'is required: the issuer keeps its keys and state there' });
      }
    },
    { when: () => true },
  )
  .superRefine((config, ctx) => {
    if (config.redis.sentinels !== undefined && config.state?.startsWith('unix:')) {
      ctx.addIssue({ code: 'custom', path: ['state'], message: 'must be redis:// or rediss:// with redis.sentinels (e.g. redis://mymaster): the sentinels name the master\'s address' });
    }
    if (!rolesOf(config).includes('issuer')) return;
    // Every URL the issuer publishes is derived from it, and requests naming another host are refused.
    const host = parseListenAddress(config.listen)?.host;
    if (!config.issuer && (host === '0.0.0.0' || host === '::')) {
      ctx.addIssue({
        code: 'custom',
        path: ['issuer'],
        message: `is required when listen is ${config.listen} (every address): set the URL clients use, e.g. issuer = "https://auth.example.com"`,
      });
    }
    if (config.issuer && !config.allow_http) {
      const url = new URL(config.issuer);
      if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
        ctx.addIssue({ code: 'custom', path: ['issuer'], message: 'must be https:// unless the host is loopback (or set allow_http = true)' });
      }
    }
    duplicates(config.users.map((u) => u.username)).forEach((i) =>
      ctx.addIssue({ code: 'custom', path: ['users', i, 'username'], message: 'is used by another user' }),
    );
    duplicates(config.clients.map((c) => c.client_id)).forEach((i) =>
      ctx.addIssue({ code: 'custom', path: ['clients', i, 'client_id'], message: 'is used by another client' }),
    );
    duplicates(config.resources.map((r) => r.identifier)).forEach((i) =>
      ctx.addIssue({ code: 'custom', path: ['resources', i, 'identifier'], message: 'is used by another resource' }),
    );
    duplicates(config.identities.map((identity) => identity.id)).forEach((i) =>
      ctx.addIssue({ code: 'custom', path: ['identities', i, 'id'], message: 'is used by another identity' }),
    );
    const clientIds = config.identities.map((identity) => clientIdOf(identity) ?? `\0${identity.id}`);
    duplicates(clientIds).forEach((i) =>
      ctx.addIssue({ code: 'custom', path: ['identities', i, 'methods', 'universal-auth', 'client_id'], message: 'is used by another identity' }),
    );
    const defaults = config.resources.flatMap((r, i) => (r.default ? [i] : []));
    defaults.slice(1).forEach((i) =>
      ctx.addIssue({ code: 'custom', path: ['resources', i, 'default'], message: 'only one resource can be the default' }),
    );
    config.clients.forEach((client, i) => {
      const keyBased = client.token_endpoint_auth_method === 'private_key_jwt';
      if (keyBased && !client.jwks && !client.certificate) {
        ctx.addIssue({ code: 'custom', path: ['clients', i, 'token_endpoint_auth_method'], message: 'private_key_jwt needs the client\'s public keys (set jwks or certificate)' });
      }
      if (!keyBased && (client.jwks || client.certificate)) {
        ctx.addIssue({ code: 'custom', path: ['clients', i, client.jwks ? 'jwks' : 'certificate'], message: 'is only used with token_endpoint_auth_method = "private_key_jwt"' });
      }
      if (keyBased && client.secret_hash) {
        ctx.addIssue({ code: 'custom', path: ['clients', i, 'secret_hash'], message: 'a private_key_jwt client has no secret; remove secret_hash' });
      }
      if (client.grants.includes('client_credentials') && !client.secret_hash && !keyBased) {
        ctx.addIssue({ code: 'custom', path: ['clients', i, 'grants'], message: 'client_credentials needs a confidential client (set secret_hash, or private_key_jwt with jwks)' });
      }
      if (client.grants.includes('authorization_code') && client.redirect_uris.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['clients', i, 'redirect_uris'], message: 'authorization_code needs at least one redirect URI' });
      }
    });
  });

/** The roles a config switches on. */
export function rolesOf(config: { roles?: RoleName[] | undefined; gateway?: unknown }): RoleName[] {
  return config.roles ?? (config.gateway ? ['issuer', 'gateway'] : ['issuer']);
}

function duplicates(values: string[]): number[] {
  return values.flatMap((value, i) => (values.indexOf(value) < i ? [i] : []));
}

export type ServerConfigInput = z.input<typeof serverConfigSchema>;
export type ServerConfig = Omit<z.output<typeof serverConfigSchema>, 'roles'> & { roles: RoleName[] };
/** A config whose issuer role is on: it has a data dir. */
export type IssuerConfig = ServerConfig & { data_dir: string };
export type { GatewayConfig, GatewayRouteConfig } from '../gateway/gateway-config.js';
export type UserConfig = ServerConfig['users'][number];
export type ClientConfig = ServerConfig['clients'][number];
export type ResourceConfig = ServerConfig['resources'][number];
export type LockoutConfig = ServerConfig['lockout'];
export type { IdentityConfig } from '../machine/identity-config.js';
