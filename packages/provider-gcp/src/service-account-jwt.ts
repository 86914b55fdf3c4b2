import { AuthError, toAuthError, type ProofRequest } from '@auth/core/provider';
import { GOOGLE_ENDPOINTS, type GcpSettings } from './options.js';
import { readServiceAccountKey } from './service-account-key.js';

/** The audience of a self-signed JWT for a Google API is `https://{service}/` (https://google.aip.dev/auth/4111). */
const IAM_CREDENTIALS_AUDIENCE = 'https://iamcredentials.googleapis.com/';
/** Well inside the verifier's 15-minute cap, leaving room for clock skew. */
const JWT_LIFETIME = 10 * 60;

/**
 * A JWT `{sub: <account>, aud: <identity>, exp}` signed by Google for the
 * service account of the key file, through the IAM Credentials API's signJwt
 * (https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/signJwt),
 * as Infisical's clients do. google-auth-library authorises the call with a
 * JWT signed by the key (service account authorization without OAuth), so the
 * key never leaves the machine and no OAuth token endpoint is involved.
 */
export async function serviceAccountJwt(request: ProofRequest<GcpSettings>, audience: string, keyPath: string): Promise<string> {
  const key = await readServiceAccountKey(keyPath);
  const { JWT } = await import('google-auth-library');
  const signer = new JWT({ email: key.client_email, key: key.private_key, keyId: key.private_key_id });
  let authorization: string | null;
  try {
    authorization = (await signer.getRequestHeaders(IAM_CREDENTIALS_AUDIENCE)).get('authorization');
  } catch (error) {
    throw new AuthError('CONFIG_INVALID', `Service account key file ${keyPath}: its private_key cannot sign`, { file: keyPath, cause: error });
  }
  const base = (request.settings.iam_credentials_url ?? GOOGLE_ENDPOINTS.iamCredentials).replace(/\/+$/, '');
  const url = `${base}/v1/projects/-/serviceAccounts/${encodeURIComponent(key.client_email)}:signJwt`;
  const payload = JSON.stringify({ sub: key.client_email, aud: audience, exp: Math.floor(Date.now() / 1000) + JWT_LIFETIME });
  let response: Response;
  try {
    response = await request.io.fetch(url, {
      method: 'POST',
      headers: { authorization: authorization ?? '', 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ payload }),
      signal: request.io.signal,
      redirect: 'error',
    });
  } catch (error) {
    throw toAuthError(error, { url, timeoutMs: request.io.timeoutMs, profile: request.profile });
  }
  const body = (await response.json().catch(() => undefined)) as { signedJwt?: unknown; error?: { message?: unknown } } | undefined;
  if (response.status === 200 && typeof body?.signedJwt === 'string') return body.signedJwt;
  throw signJwtFailure(response.status, typeof body?.error?.message === 'string' ? body.error.message : undefined, url, key.client_email, keyPath);
}

function signJwtFailure(status: number, message: string | undefined, url: string, account: string, keyPath: string): AuthError {
  const said = `signJwt for ${account} answered ${status}${message === undefined ? '' : `: ${message}`}`;
  if (status === 401) {
    return new AuthError('INVALID_CREDENTIALS', said, { url, status, file: keyPath, hint: `the key in ${keyPath} may be deleted or disabled: create a new key for ${account}` });
  }
  if (status === 403) {
    return new AuthError('ACCESS_DENIED', said, {
      url,
      status,
      hint: `enable the IAM Service Account Credentials API in the account's project and let ${account} sign JWTs as itself (roles/iam.serviceAccountTokenCreator)`,
    });
  }
  return new AuthError(status === 429 || status >= 500 ? 'NETWORK' : 'PROTOCOL', said, { url, status });
}
