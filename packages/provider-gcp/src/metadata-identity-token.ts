import { AuthError, toAuthError, type ProofRequest } from '@auth/core/provider';
import { GOOGLE_ENDPOINTS, type GcpSettings } from './options.js';

const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const ON_GOOGLE_CLOUD = 'gcp-id-token works on Google Cloud (Compute Engine, GKE, Cloud Run); elsewhere use --method gcp-iam with a service account key';

/** The metadata server's `host[:port]`: `GCE_METADATA_HOST`, `GCE_METADATA_IP`, the profile's `metadata_host`, or `metadata.google.internal`. */
function metadataHost(request: ProofRequest<GcpSettings>): string {
  const [from, host] =
    ([
      ['GCE_METADATA_HOST', request.env.GCE_METADATA_HOST],
      ['GCE_METADATA_IP', request.env.GCE_METADATA_IP],
      [`profiles.${request.profile}.metadata_host`, request.settings.metadata_host],
    ] as const).find(([, value]) => value !== undefined && value !== '') ?? ['default', GOOGLE_ENDPOINTS.metadataHost];
  if (!HOST.test(host!)) {
    throw new AuthError('CONFIG_INVALID', `${from} must be a host[:port] such as "169.254.169.254", not ${JSON.stringify(host)}`, {
      ...(from.startsWith('profiles.') ? { file: request.file, profile: request.profile, key: from } : {}),
      hint: `fix or unset ${from}`,
    });
  }
  return host!;
}

/**
 * The VM's identity token for `audience` from its metadata server ("Verifying
 * the identity of instances",
 * https://cloud.google.com/compute/docs/instances/verifying-instance-identity):
 * `format=full` so the token carries the project, zone and instance.
 */
export async function metadataIdentityToken(request: ProofRequest<GcpSettings>, audience: string): Promise<string> {
  const url = new URL(`http://${metadataHost(request)}/computeMetadata/v1/instance/service-accounts/default/identity`);
  url.searchParams.set('audience', audience);
  url.searchParams.set('format', 'full');
  let response: Response;
  try {
    response = await request.io.fetch(url, { headers: { 'Metadata-Flavor': 'Google' }, signal: request.io.signal, redirect: 'error' });
  } catch (error) {
    const failure = toAuthError(error, { url: url.href, timeoutMs: request.io.timeoutMs, profile: request.profile });
    throw new AuthError(failure.code, `${failure.message}: no Google Cloud metadata server`, { url: url.href, hint: ON_GOOGLE_CLOUD, cause: failure });
  }
  const body = (await response.text()).trim();
  // gcp-metadata's check: anything else answering on that host is not the metadata server.
  if (response.headers.get('metadata-flavor') !== 'Google') {
    throw new AuthError('PROTOCOL', `${url.origin} is not a Google Cloud metadata server: its answer has no "Metadata-Flavor: Google" header`, {
      url: url.origin,
      hint: ON_GOOGLE_CLOUD,
    });
  }
  if (response.status === 404) {
    throw new AuthError('ACCESS_DENIED', `The metadata server at ${url.origin} has no identity token for this VM (404): it runs without a service account`, {
      url: url.origin,
      status: 404,
      hint: 'attach a service account to the VM, or use --method gcp-iam',
    });
  }
  if (response.status !== 200 || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(body)) {
    throw new AuthError(response.status >= 500 ? 'NETWORK' : 'PROTOCOL', `The metadata server at ${url.origin} answered ${response.status} without an identity token${response.status === 200 ? '' : `: ${body.slice(0, 200)}`}`, {
      url: url.origin,
      status: response.status,
    });
  }
  return body;
}
