import { z } from 'zod';

/**
 * Profile keys of an `auth0` profile. `domain` is the tenant's host
 * (`tenant.eu.auth0.com` or a custom domain); a full origin URL is accepted
 * too, e.g. a local stand-in on loopback.
 */
export const auth0Options = z.object({
  domain: z
    .string({ error: 'is required: the Auth0 domain, e.g. "my-tenant.eu.auth0.com"' })
    .min(1, { error: 'is required: the Auth0 domain, e.g. "my-tenant.eu.auth0.com"' })
    .refine((value) => URL.canParse(originOf(value)), { error: 'must be a host name like "my-tenant.eu.auth0.com"' }),
  /** The API identifier tokens are for (required for client credentials). */
  audience: z.string().min(1).optional(),
});

export type Auth0Settings = z.infer<typeof auth0Options>;

/** `https://{domain}`, or the origin given. */
export function originOf(domain: string): string {
  return /^https?:\/\//i.test(domain) ? domain.replace(/\/+$/, '') : `https://${domain}`;
}

/** An Auth0 issuer ends with a slash (https://auth0.com/docs/secure/tokens/json-web-tokens/validate-json-web-tokens). */
export function auth0Issuer(settings: Pick<Auth0Settings, 'domain'>): string {
  return `${originOf(settings.domain)}/`;
}
