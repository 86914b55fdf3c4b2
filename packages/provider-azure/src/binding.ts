import { z } from 'zod';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A list that names who may log in: never empty and never a wildcard
 * (CVE-2025-3879: a role that binds nobody in particular binds everybody).
 */
const allowList = (what: string) =>
  z
    .array(z.string().trim().min(1))
    .min(1, { error: `must name at least one ${what}` })
    .refine((entries) => !entries.some((entry) => /^\*+$/.test(entry)), { error: `must name ${what}s, not "*"` });

/** What an identity's `azure-auth` configuration binds a login to. */
export const azureBinding = z.strictObject({
  tenant_id: z.string().regex(GUID, { error: 'must be the tenant id (a GUID)' }),
  /** The `aud` the token must carry (the proof's `resource`); a trailing "/" is tolerated either way. */
  resource: z.string().min(1),
  /** Object ids (`oid`) of the service principals that may log in. */
  allowed_service_principal_ids: allowList('service principal id'),
  /** ARM resource ids matched against the token's `xms_mirid` / `xms_az_rid` claims, case-insensitively. */
  allowed_resource_ids: allowList('resource id').optional(),
  /** The tenant's signing keys (default `https://login.microsoftonline.com/<tenant>/discovery/keys`). */
  jwks_url: z.url().optional(),
  /** The one issuer to accept (default: the tenant's v1 `https://sts.windows.net/<tenant>/` or v2 `https://login.microsoftonline.com/<tenant>/v2.0`). */
  issuer: z.string().min(1).optional(),
});

export type AzureBinding = z.infer<typeof azureBinding>;
