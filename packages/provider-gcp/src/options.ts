import { z } from 'zod';

/** Where Google's services are, unless a profile points elsewhere (a test double, a private endpoint). */
export const GOOGLE_ENDPOINTS = {
  /** The metadata server's host on every Compute Engine VM, GKE node and Cloud Run instance. */
  metadataHost: 'metadata.google.internal',
  /** IAM Service Account Credentials API (https://cloud.google.com/iam/docs/reference/credentials/rest). */
  iamCredentials: 'https://iamcredentials.googleapis.com',
} as const;

const url = z.string().refine((value) => URL.canParse(value), { error: 'must be an absolute URL, e.g. "https://iamcredentials.googleapis.com"' });

/**
 * Profile keys of a `gcp` profile; all optional. Precedence for the metadata
 * host is `GCE_METADATA_HOST` (then `GCE_METADATA_IP`), as Google's own
 * libraries read it, then `metadata_host`, then the default.
 */
export const gcpOptions = z.object({
  /** `host[:port]` of the metadata server. */
  metadata_host: z.string().min(1).optional(),
  /** Base URL of the IAM Service Account Credentials API. */
  iam_credentials_url: url.optional(),
  /** The service account key file for `gcp-iam` when `--service-account-key-file-path` is not given. */
  service_account_key_file_path: z.string().min(1).optional(),
});

export type GcpSettings = z.infer<typeof gcpOptions>;
