import type { Principal, VerifyRequest } from '@auth/core/provider';
import { GOOGLE_KEYS, type IamBinding } from './binding.js';
import { denied, requireAudience, requireLifetimeWithin, requireListed, signingKeyId, verifiedClaims } from './jwt-checks.js';
import type { KeySets } from './key-sets.js';
import type { LoginJwt } from '@auth/core/verify';

/** A user-created service account's email; the second label is its project id (Infisical's pattern). */
const SERVICE_ACCOUNT_EMAIL = /^[a-z0-9-]+@([a-z0-9-]+)\.iam\.gserviceaccount\.com$/;
/** Vault's `max_jwt_exp` default for iam roles: a stolen JWT is worth at most 15 minutes. */
export const IAM_MAX_JWT_LIFETIME = 15 * 60;

/**
 * A JWT a service account signed (IAM Credentials `signJwt`, or its own key):
 * the key is looked up among that account's published certificates only, by
 * the token's `kid`, and the token must be short-lived. Only what the
 * signature and the account name vouch for reaches the principal: claims such
 * as `google.compute_engine` in a self-signed payload are ignored.
 */
export async function verifyIam(token: LoginJwt, binding: IamBinding, request: VerifyRequest, keySets: KeySets): Promise<Principal> {
  const now = request.now();
  const kid = signingKeyId(token);
  const email = typeof token.claims.sub === 'string' ? token.claims.sub : '';
  const project = SERVICE_ACCOUNT_EMAIL.exec(email)?.[1];
  if (project === undefined) throw denied(`"sub" ${JSON.stringify(token.claims.sub ?? null)} is not a service account email (name@project.iam.gserviceaccount.com)`);
  // Checked before any fetch, so a caller cannot make the login API fetch keys of accounts it will never accept.
  requireListed(email, binding.allowed_service_accounts, 'service account', 'allowed_service_accounts');
  requireListed(project, binding.allowed_projects, 'project', 'allowed_projects');
  const certsUrl = `${binding.service_account_certs_url ?? GOOGLE_KEYS.serviceAccountCerts}${encodeURIComponent(email)}`;
  const key = await keySets.key(certsUrl, 'x509', kid, request.io, now);
  if (key === undefined) throw denied(`key ${kid} is not one of the keys of service account ${email} (${certsUrl})`);
  const claims = await verifiedClaims(token, key, now, { subject: email });
  requireAudience(claims, request.identityId);
  requireLifetimeWithin(claims, now, IAM_MAX_JWT_LIFETIME, `a gcp-auth iam JWT must expire within ${IAM_MAX_JWT_LIFETIME / 60} minutes`);
  return {
    subject: email,
    issuer: certsUrl,
    provider: 'gcp',
    claims: { type: 'iam', email, project_id: project },
    permissions: [],
  };
}
