import { z } from 'zod';

/** Google's public keys, unless a binding points elsewhere (a test double). */
export const GOOGLE_KEYS = {
  /** Google's OAuth 2.0 signing keys as a JWKS: they sign every Google ID token. */
  jwks: 'https://www.googleapis.com/oauth2/v3/certs',
  /** Followed by a service account's email: its public certificates by key id. */
  serviceAccountCerts: 'https://www.googleapis.com/service_accounts/v1/metadata/x509/',
} as const;

const names = (what: string) =>
  z.array(z.string().min(1), { error: `must be a list of ${what}` }).min(1, { error: `names no ${what}: leave it out, or list at least one` });
const url = z.string().refine((value) => URL.canParse(value), { error: 'must be an absolute URL' });

const gce = z
  .strictObject({
    type: z.literal('gce'),
    /** Service account emails a VM may run as. */
    allowed_service_accounts: names('service account email').optional(),
    /** Project ids (`google.compute_engine.project_id`). */
    allowed_projects: names('project id').optional(),
    /** Zones (`google.compute_engine.zone`), e.g. `us-central1-a`. */
    allowed_zones: names('zone').optional(),
    jwks_url: url.optional(),
  })
  .refine((binding) => binding.allowed_service_accounts !== undefined || binding.allowed_projects !== undefined, {
    error: 'a gce binding must set allowed_service_accounts or allowed_projects: any VM in Google Cloud can get a Google-signed token for any audience',
    path: ['allowed_service_accounts'],
  });

const iam = z.strictObject({
  type: z.literal('iam'),
  /** Service account emails that may log in: required, since any service account can sign a JWT for any audience. */
  allowed_service_accounts: names('service account email'),
  /** Project ids, as named in the service account's email (`name@<project>.iam.gserviceaccount.com`). */
  allowed_projects: names('project id').optional(),
  /** Prefix of the per-account certificate URL; the email is appended. */
  service_account_certs_url: url.optional(),
});

/** What a machine identity's `gcp-auth` configuration binds a login to. */
export const gcpBinding = z.discriminatedUnion('type', [gce, iam], { error: 'type must be "gce" or "iam"' });

export type GcpBinding = z.infer<typeof gcpBinding>;
export type GceBinding = Extract<GcpBinding, { type: 'gce' }>;
export type IamBinding = Extract<GcpBinding, { type: 'iam' }>;
