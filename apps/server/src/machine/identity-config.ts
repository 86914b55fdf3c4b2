import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';

/**
 * Machine identities in the server config (`[[identities]]`): who may log
 * in through the machine-identity login API, with which methods, and for
 * how long the access tokens it hands out live. The binding of a method
 * other than `universal-auth` is validated at startup by the schema of the
 * provider that verifies it (`VerifyCapability.bindingSchema`).
 */

export const UNIVERSAL_AUTH = 'universal-auth';

/**
 * Identity ids and client ids are compared after NFKC, trimming and lower
 * case, so that `Demo-Machine`, ` demo-machine` and `ｄｅｍｏ-machine` are one
 * identity for the lookup and for the lockout alike (CVE-2025-6004: a
 * lockout keyed differently from the login can be bypassed).
 */
export function normaliseIdentityId(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase();
}

const identityName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, { error: 'must be lower-case letters, digits, ".", "_" or "-" (at most 128), starting with a letter or digit' });

const seconds = z.number().int({ error: 'must be a whole number of seconds' }).positive({ error: 'must be positive' });

/** An address or CIDR block (`10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7`). */
const ipRange = z.string().refine((value) => parseIpRange(value) !== undefined, { error: 'must be an IP address or CIDR block, e.g. 10.0.0.0/8' });

export function parseIpRange(value: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefixText, extra] = value.trim().split('/');
  if (extra !== undefined) return undefined;
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  if (!family) return undefined;
  const max = family === 'ipv4' ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  return prefix >= 0 && prefix <= max ? { address, prefix, family } : undefined;
}

/** A BlockList of the ranges, or undefined for "any address". */
export function trustedAddresses(ranges: readonly string[] | undefined): BlockList | undefined {
  if (!ranges) return undefined;
  const list = new BlockList();
  for (const range of ranges) {
    const { address, prefix, family } = parseIpRange(range)!;
    list.addSubnet(address, prefix, family);
  }
  return list;
}

/** `methods.universal-auth`: a client id and its secrets (made by `auth-server identities add-secret`). */
export const universalAuthBindingSchema = z.strictObject({
  /** Defaults to the identity's id. */
  client_id: identityName.optional(),
  /** Addresses a client secret may be used from (Infisical's clientSecretTrustedIps); default: any. */
  trusted_ips: z.array(ipRange).min(1, { error: 'must list at least one range (leave it out to allow any address)' }).optional(),
});
export type UniversalAuthBinding = z.output<typeof universalAuthBindingSchema>;

const loginMethodName = z.string().regex(/^[a-z0-9][a-z0-9-]*-auth$/, { error: 'must be a login method such as universal-auth or oidc-auth' });

export const identitySchema = z
  .strictObject({
    id: identityName,
    name: z.string().optional(),
    /** Lifetime of each access token (Infisical's accessTokenTTL). */
    access_token_ttl: seconds.default(3600),
    /** How long renewals may extend a login (Infisical's accessTokenMaxTTL). */
    access_token_max_ttl: seconds.default(86_400),
    /** Login method → what it is bound to; a provider's binding schema checks all but universal-auth. */
    methods: z
      .record(loginMethodName, z.record(z.string(), z.unknown()))
      .refine((methods) => Object.keys(methods).length > 0, { error: 'must bind at least one login method' }),
  })
  .superRefine((identity, ctx) => {
    if (identity.access_token_ttl > identity.access_token_max_ttl) {
      ctx.addIssue({ code: 'custom', path: ['access_token_ttl'], message: 'must not exceed access_token_max_ttl' });
    }
    const universal = identity.methods[UNIVERSAL_AUTH];
    if (universal !== undefined) {
      const parsed = universalAuthBindingSchema.safeParse(universal);
      for (const issue of parsed.error?.issues ?? []) {
        ctx.addIssue({ ...issue, path: ['methods', UNIVERSAL_AUTH, ...issue.path] } as z.core.$ZodRawIssue);
      }
    }
  });

export type IdentityConfig = z.output<typeof identitySchema>;

/** The universal-auth client id of an identity that binds the method. */
export function clientIdOf(identity: IdentityConfig): string | undefined {
  const binding = identity.methods[UNIVERSAL_AUTH] as UniversalAuthBinding | undefined;
  return binding ? (binding.client_id ?? identity.id) : undefined;
}
