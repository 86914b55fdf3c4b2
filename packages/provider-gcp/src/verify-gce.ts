import type { Principal, VerifyRequest } from '@auth/core/provider';
import type { JWTPayload } from 'jose';
import { GOOGLE_KEYS, type GceBinding } from './binding.js';
import { denied, requireAudience, requireLifetimeWithin, requireListed, signingKeyId, verifiedClaims } from './jwt-checks.js';
import type { KeySets } from './key-sets.js';
import type { LoginJwt } from '@auth/core/verify';

/** Both forms Google writes (google-auth-library's `OAuth2Client` accepts the same two). */
export const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];
/** A Google ID token lives one hour. */
const ID_TOKEN_LIFETIME = 3600;

interface ComputeEngine {
  project_id?: string;
  project_number?: number;
  zone?: string;
  instance_id?: string;
  instance_name?: string;
}

/**
 * A VM's identity token from its metadata server ("Verifying the identity of
 * instances", https://cloud.google.com/compute/docs/instances/verifying-instance-identity).
 * Only Google's signing keys are consulted (CVE-2020-16251: a service account
 * can sign any claims it likes, `google.compute_engine` included, with its own
 * key, so such a token must never pass as a VM's).
 */
export async function verifyGce(token: LoginJwt, binding: GceBinding, request: VerifyRequest, keySets: KeySets): Promise<Principal> {
  const now = request.now();
  const kid = signingKeyId(token);
  const jwksUrl = binding.jwks_url ?? GOOGLE_KEYS.jwks;
  const key = await keySets.key(jwksUrl, 'jwks', kid, request.io, now);
  if (key === undefined) throw denied(`key ${kid} is not one of Google's signing keys (${jwksUrl}); a gce login takes only a Google-signed identity token`);
  const claims = await verifiedClaims(token, key, now, { issuer: GOOGLE_ISSUERS, maxTokenAge: ID_TOKEN_LIFETIME });
  requireAudience(claims, request.identityId);
  requireLifetimeWithin(claims, now, ID_TOKEN_LIFETIME, 'a Google ID token lives at most one hour');
  const email = typeof claims.email === 'string' && claims.email !== '' ? claims.email : undefined;
  if (email === undefined) throw denied('the token has no "email" claim: the VM must run as a service account');
  if (claims.email_verified !== true && claims.email_verified !== 'true') throw denied(`the token's email ${email} is not verified`);
  const instance = computeEngine(claims);
  if (instance === undefined && (binding.allowed_projects !== undefined || binding.allowed_zones !== undefined)) {
    throw denied('the token has no google.compute_engine claims to check allowed_projects or allowed_zones against: request it with format=full');
  }
  requireListed(email, binding.allowed_service_accounts, 'service account', 'allowed_service_accounts');
  requireListed(instance?.project_id, binding.allowed_projects, 'project', 'allowed_projects');
  requireListed(instance?.zone, binding.allowed_zones, 'zone', 'allowed_zones');
  return {
    subject: email,
    issuer: GOOGLE_ISSUERS[0]!,
    provider: 'gcp',
    claims: { type: 'gce', email, ...(typeof claims.sub === 'string' ? { unique_id: claims.sub } : {}), ...instance },
    permissions: [],
  };
}

function computeEngine(claims: JWTPayload): ComputeEngine | undefined {
  const google = claims.google;
  const engine = typeof google === 'object' && google !== null ? (google as { compute_engine?: unknown }).compute_engine : undefined;
  if (typeof engine !== 'object' || engine === null) return undefined;
  const fields = engine as Record<string, unknown>;
  const text = (name: string) => (typeof fields[name] === 'string' ? { [name]: fields[name] as string } : {});
  return {
    ...text('project_id'),
    ...(typeof fields.project_number === 'number' ? { project_number: fields.project_number } : {}),
    ...text('zone'),
    ...text('instance_id'),
    ...text('instance_name'),
  };
}
