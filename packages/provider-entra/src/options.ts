import { z } from 'zod';

/** The `{tenant}` of https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc: a tenant GUID, a verified domain, or one of the multi-tenant names. */
const TENANT = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|organizations|common|consumers|[a-z0-9-]+(?:\.[a-z0-9-]+)+)$/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com/';

/**
 * Profile keys of an `entra` profile. `tenant` and the authority host fall
 * back to the workload identity variables (AZURE_TENANT_ID,
 * AZURE_AUTHORITY_HOST); key files are read when a login needs them.
 */
export const entraOptions = z
  .object({
    tenant: z.string().regex(TENANT, { error: 'must be a tenant id (GUID), a domain, "organizations", "common" or "consumers"' }).optional(),
    authority_host: z.url({ error: 'must be an absolute http(s) URL' }).optional(),
    /** PEM certificate registered on the app, and its PKCS#8 private key: a certificate client assertion. */
    certificate_file: z.string().min(1).optional(),
    private_key_file: z.string().min(1).optional(),
    /** PS256 with `x5t#S256` (current), or RS256 with `x5t` (older MSAL). */
    assertion_algorithm: z.enum(['PS256', 'RS256']).optional(),
    /** A workload identity token file (default AZURE_FEDERATED_TOKEN_FILE), used for client credentials. */
    federated_token_file: z.string().min(1).optional(),
  })
  .superRefine((settings, ctx) => {
    if (settings.tenant === undefined && !process.env.AZURE_TENANT_ID) {
      ctx.addIssue({ code: 'custom', path: ['tenant'], message: 'is required: the tenant id or domain (or set AZURE_TENANT_ID)' });
    }
    for (const [key, other] of [['certificate_file', 'private_key_file'], ['private_key_file', 'certificate_file']] as const) {
      if (settings[key] !== undefined && settings[other] === undefined) {
        ctx.addIssue({ code: 'custom', path: [other], message: `is required together with ${key}` });
      }
    }
  });

export type EntraSettings = z.infer<typeof entraOptions>;

export function tenantOf(settings: EntraSettings): string {
  return settings.tenant ?? process.env.AZURE_TENANT_ID ?? '';
}

/** The tenant's authority, e.g. `https://login.microsoftonline.com/contoso.onmicrosoft.com`. */
export function authorityOf(settings: EntraSettings): string {
  const host = settings.authority_host ?? (process.env.AZURE_AUTHORITY_HOST || DEFAULT_AUTHORITY_HOST);
  return `${host.replace(/\/+$/, '')}/${tenantOf(settings)}`;
}

/** Only a tenant GUID names its issuer up front; domains and multi-tenant names learn it from `tid`. */
export function isTenantId(tenant: string): boolean {
  return GUID.test(tenant);
}
