// Contract double of a Compute Engine VM's metadata server, identity endpoint only, following
// "Verifying the identity of instances" (https://cloud.google.com/compute/docs/instances/verifying-instance-identity)
// and "About VM metadata" (https://cloud.google.com/compute/docs/metadata/overview):
// `GET /computeMetadata/v1/instance/service-accounts/{default|email}/identity?audience=…&format=standard|full`
// answers the bare ID token as text, signed by Google's key (the Google APIs double's JWKS). Every
// answer carries `Metadata-Flavor: Google`; a request without that header, or with
// `X-Forwarded-For`, is refused with 403, as the real server does.
import { randomInt } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { serveDouble, type DoubleRequest, type Reply } from './double-server.js';
import type { GoogleApisDouble, GoogleServiceAccount } from './google-apis-double.js';

export interface GceMetadataDoubleOptions {
  /** Signs the tokens with Google's key. */
  google: GoogleApisDouble;
  /** The VM's default service account. */
  serviceAccount: GoogleServiceAccount;
  zone?: string;
  instanceName?: string;
}

export interface GceMetadataDouble {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** `127.0.0.1:<port>`: what `GCE_METADATA_HOST` names. */
  host: string;
  zone: string;
  instanceId: string;
  instanceName: string;
  /** The identity requests received: their audience and format, and whether `Metadata-Flavor: Google` came with them. */
  requests: Array<{ path: string; audience: string | null; format: string | null; flavor: boolean }>;
  close(): Promise<void>;
}

const IDENTITY = /^\/computeMetadata\/v1\/instance\/service-accounts\/([^/]+)\/identity$/;

export async function startGceMetadataDouble(options: GceMetadataDoubleOptions): Promise<GceMetadataDouble> {
  const { google, serviceAccount } = options;
  const zone = options.zone ?? 'us-central1-a';
  const instanceName = options.instanceName ?? 'test-instance';
  const instanceId = String(randomInt(10 ** 11, 10 ** 12 - 1)) + String(randomInt(10 ** 6, 10 ** 7 - 1));
  const createdAt = Math.floor(Date.now() / 1000) - 600;
  const requests: GceMetadataDouble['requests'] = [];

  const text = (status: number, body: string): Reply => ({
    status,
    body,
    headers: { 'content-type': 'application/text', 'metadata-flavor': 'Google' },
  });

  async function handle(request: DoubleRequest): Promise<Reply> {
    const flavor = request.headers['metadata-flavor'] === 'Google';
    const identity = IDENTITY.exec(request.path);
    if (identity) requests.push({ path: request.path, audience: request.form.get('audience'), format: request.form.get('format'), flavor });
    if (!flavor || request.headers['x-forwarded-for'] !== undefined) {
      return text(403, 'Your client does not have permission to get URL from this server. Missing Metadata-Flavor:Google header.');
    }
    const account = identity?.[1];
    if (request.method !== 'GET' || (account !== 'default' && account !== serviceAccount.email)) return text(404, 'Not Found');
    const audience = request.form.get('audience');
    if (!audience) return text(400, 'non-empty audience parameter required');
    const claims: JWTPayload = {
      aud: audience,
      azp: serviceAccount.uniqueId,
      sub: serviceAccount.uniqueId,
      email: serviceAccount.email,
      email_verified: true,
    };
    if (request.form.get('format') === 'full') {
      claims.google = {
        compute_engine: {
          project_id: serviceAccount.projectId,
          project_number: serviceAccount.projectNumber,
          zone,
          instance_id: instanceId,
          instance_name: instanceName,
          instance_creation_timestamp: createdAt,
        },
      };
    }
    return text(200, await google.issueIdToken(claims));
  }

  const server = await serveDouble(handle);
  return { url: server.url, host: new URL(server.url).host, zone, instanceId, instanceName, requests, close: () => server.close() };
}
