// Contract double of the Google APIs a Google Cloud machine login touches, with real RS256 keys:
// - Google's OAuth 2.0 signing keys as a JWKS, `GET /oauth2/v3/certs`, which sign the ID tokens a
//   VM's metadata server hands out ("Verifying the identity of instances",
//   https://cloud.google.com/compute/docs/instances/verifying-instance-identity; "Validating an ID
//   token", https://developers.google.com/identity/openid-connect/openid-connect#validatinganidtoken);
// - each service account's public certificates, `GET /service_accounts/v1/metadata/x509/{email}`, a
//   map of key id to PEM certificate, holding its user-managed keys and the Google-managed key that
//   signJwt uses ("Create and delete service account keys", https://cloud.google.com/iam/docs/keys-create-delete;
//   `keyId` of https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/signJwt);
// - the IAM Service Account Credentials API's signJwt, `POST /v1/projects/-/serviceAccounts/{email}:signJwt`
//   (same page), called with a self-signed service-account JWT as its bearer token ("Addendum: Service
//   account authorization without OAuth", https://developers.google.com/identity/protocols/oauth2/service-account#jwt-auth).
//   Errors use Google's JSON error body `{"error":{"code","message","status"}}`
//   (https://cloud.google.com/apis/design/errors#http_mapping).
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, importPKCS8, importX509, jwtVerify, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { serveDouble, type DoubleRequest, type Reply } from './double-server.js';
import { createSigningKey, type SigningKey } from './signing-key.js';
import { createTestCertificate } from './test-certificate.js';

/** The audience of a self-signed JWT for the IAM Credentials API: `https://{service}/`. */
export const IAM_CREDENTIALS_AUDIENCE = 'https://iamcredentials.googleapis.com/';
/** signJwt refuses a payload whose `exp` is more than 12 hours ahead. */
const SIGN_JWT_MAX_LIFETIME = 12 * 3600;
/** signJwt adds an `exp` one hour ahead when the payload has none. */
const SIGN_JWT_DEFAULT_LIFETIME = 3600;

/** A service account key file, as the console's "Create new key" (JSON) downloads it. */
export interface ServiceAccountKeyFile {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
  auth_provider_x509_cert_url: string;
  client_x509_cert_url: string;
  universe_domain: string;
}

export interface GoogleServiceAccount {
  email: string;
  /** The account's unique id: the `sub` and `azp` of its ID tokens. */
  uniqueId: string;
  projectId: string;
  projectNumber: number;
  /** A user-managed key of the account, as its JSON key file. */
  keyFile: ServiceAccountKeyFile;
  /** Signs claims with the account's user-managed key, as anyone holding the key file can (no Google involved). */
  signWithOwnKey(claims: JWTPayload, header?: { kid?: string }): Promise<string>;
  /** What signJwt answers for this account: the payload signed with its Google-managed key. */
  signJwt(payload: Record<string, unknown>): Promise<{ keyId: string; signedJwt: string }>;
}

export interface GoogleApisDouble {
  /** `http://127.0.0.1:<port>`: stands for `https://www.googleapis.com` and `https://iamcredentials.googleapis.com`. */
  url: string;
  /** Google's signing keys (JWKS), like `https://www.googleapis.com/oauth2/v3/certs`. */
  certsUrl: string;
  /** Prefix of the per-account certificates, like `https://www.googleapis.com/service_accounts/v1/metadata/x509/`. */
  serviceAccountCertsUrl: string;
  /** Base URL of the IAM Service Account Credentials API, like `https://iamcredentials.googleapis.com`. */
  iamCredentialsUrl: string;
  createServiceAccount(name: string, options?: ServiceAccountOptions): Promise<GoogleServiceAccount>;
  /** An ID token signed by Google's current key (`iss` https://accounts.google.com unless `claims` says otherwise). */
  issueIdToken(claims: JWTPayload, lifetimeSeconds?: number): Promise<string>;
  /** Starts signing with a new key; the JWKS keeps the previous one too, as Google's does during a rotation. */
  rotateGoogleKey(): Promise<void>;
  /** Method and path of every request, in order. */
  requests: Array<{ method: string; path: string }>;
  /** Each payload signJwt signed, by account. */
  signedPayloads: Array<{ email: string; payload: Record<string, unknown> }>;
  close(): Promise<void>;
}

export interface ServiceAccountOptions {
  /** Default `test-project`. */
  projectId?: string;
  /** `false`: the project has not enabled the IAM Service Account Credentials API, so signJwt answers 403. */
  iamCredentialsApi?: boolean;
}

interface AccountKeys {
  account: GoogleServiceAccount;
  /** Key id → PEM certificate: what the x509 metadata endpoint publishes. */
  certificates: Record<string, string>;
  /** The user-managed key's public half, to check the bearer JWTs the account signs. */
  userKey: CryptoKey;
  userKeyId: string;
  iamCredentialsApi: boolean;
}

const googleError = (code: number, status: string, message: string): Reply => ({ status: code, body: { error: { code, message, status } } });

export async function startGoogleApisDouble(): Promise<GoogleApisDouble> {
  const googleKeys: SigningKey[] = [await createSigningKey()];
  const accounts = new Map<string, AccountKeys>();
  const requests: GoogleApisDouble['requests'] = [];
  const signedPayloads: GoogleApisDouble['signedPayloads'] = [];

  async function handle(request: DoubleRequest): Promise<Reply> {
    requests.push({ method: request.method, path: request.path });
    if (request.method === 'GET' && request.path === '/oauth2/v3/certs') {
      return {
        status: 200,
        body: { keys: googleKeys.flatMap((key) => key.jwks().keys) },
        headers: { 'cache-control': 'public, max-age=21600, must-revalidate, no-transform' },
      };
    }
    const x509 = /^\/service_accounts\/v1\/metadata\/x509\/([^/]+)$/.exec(request.path);
    if (request.method === 'GET' && x509) {
      const keys = accounts.get(decodeURIComponent(x509[1]!));
      return keys === undefined ? googleError(404, 'NOT_FOUND', 'Not Found') : { status: 200, body: keys.certificates };
    }
    const signJwt = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/]+):signJwt$/.exec(request.path);
    if (request.method === 'POST' && signJwt) return signJwtCall(request, signJwt[1]!, decodeURIComponent(signJwt[2]!));
    return googleError(404, 'NOT_FOUND', `No such API: ${request.method} ${request.path}`);
  }

  /** The bearer must be a JWT the caller signed with one of its own keys, for this API. */
  async function caller(authorization: string | undefined): Promise<AccountKeys | undefined> {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
    if (token === undefined) return undefined;
    try {
      const { kid } = decodeProtectedHeader(token);
      const keys = [...accounts.values()].find((candidate) => candidate.userKeyId === kid);
      if (keys === undefined) return undefined;
      await jwtVerify(token, keys.userKey, {
        algorithms: ['RS256'],
        audience: IAM_CREDENTIALS_AUDIENCE,
        issuer: keys.account.email,
        subject: keys.account.email,
        requiredClaims: ['exp', 'iat'],
      });
      return keys;
    } catch {
      return undefined;
    }
  }

  async function signJwtCall(request: DoubleRequest, project: string, email: string): Promise<Reply> {
    if (project !== '-') {
      return googleError(400, 'INVALID_ARGUMENT', 'The project in the resource name must be the wildcard "-": projects/-/serviceAccounts/{ACCOUNT}');
    }
    const signer = await caller(request.headers.authorization);
    if (signer === undefined) {
      return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
    }
    // Only the account itself may sign here: no roles/iam.serviceAccountTokenCreator grants in this double.
    const target = accounts.get(email);
    if (!signer.iamCredentialsApi) {
      return googleError(
        403,
        'PERMISSION_DENIED',
        `IAM Service Account Credentials API has not been used in project ${signer.account.projectNumber} before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/iamcredentials.googleapis.com/overview?project=${signer.account.projectNumber} then retry.`,
      );
    }
    if (target === undefined || signer.account.email !== email) {
      return googleError(403, 'PERMISSION_DENIED', `Permission 'iam.serviceAccounts.signJwt' denied on resource (or it may not exist).`);
    }
    let payload: unknown;
    try {
      payload = JSON.parse((JSON.parse(request.text) as { payload?: unknown }).payload as string);
    } catch {
      return googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received: "payload" must be a JSON object serialised as a string.');
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      return googleError(400, 'INVALID_ARGUMENT', 'The JWT payload must be a JSON object.');
    }
    const exp = (payload as { exp?: unknown }).exp;
    if (typeof exp === 'number' && exp > Math.floor(Date.now() / 1000) + SIGN_JWT_MAX_LIFETIME) {
      return googleError(400, 'INVALID_ARGUMENT', 'The exp claim must be no more than 12 hours in the future.');
    }
    return { status: 200, body: await target.account.signJwt(payload as Record<string, unknown>) };
  }

  const server = await serveDouble(handle);
  const url = server.url;

  async function createServiceAccount(name: string, options: ServiceAccountOptions = {}): Promise<GoogleServiceAccount> {
    const projectId = options.projectId ?? 'test-project';
    const email = `${name}@${projectId}.iam.gserviceaccount.com`;
    const dir = await mkdtemp(join(tmpdir(), 'google-double-'));
    try {
      const [user, managed] = await Promise.all([createTestCertificate(dir, 'user-managed'), createTestCertificate(dir, 'google-managed')]);
      const [userPem, managedPem] = await Promise.all([readFile(user.privateKeyFile, 'utf8'), readFile(managed.privateKeyFile, 'utf8')]);
      const userKeyId = randomBytes(20).toString('hex');
      const managedKeyId = randomBytes(20).toString('hex');
      const userPrivate = await importPKCS8(userPem, 'RS256');
      const managedPrivate = await importPKCS8(managedPem, 'RS256');
      const account: GoogleServiceAccount = {
        email,
        uniqueId: String(randomInt(10 ** 9, 10 ** 10 - 1)) + String(randomInt(10 ** 10, 10 ** 11 - 1)),
        projectId,
        projectNumber: randomInt(10 ** 11, 10 ** 12 - 1),
        keyFile: {
          type: 'service_account',
          project_id: projectId,
          private_key_id: userKeyId,
          private_key: userPem,
          client_email: email,
          client_id: '',
          auth_uri: 'https://accounts.google.com/o/oauth2/auth',
          token_uri: 'https://oauth2.googleapis.com/token',
          auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
          client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(email)}`,
          universe_domain: 'googleapis.com',
        },
        signWithOwnKey: (claims, header = {}) =>
          new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: header.kid ?? userKeyId }).sign(userPrivate),
        async signJwt(payload) {
          const claims = { ...payload };
          claims.exp ??= Math.floor(Date.now() / 1000) + SIGN_JWT_DEFAULT_LIFETIME;
          signedPayloads.push({ email, payload: claims });
          const signedJwt = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: managedKeyId }).sign(managedPrivate);
          return { keyId: managedKeyId, signedJwt };
        },
      };
      account.keyFile.client_id = account.uniqueId;
      accounts.set(email, {
        account,
        certificates: { [userKeyId]: user.certificate, [managedKeyId]: managed.certificate },
        userKey: await importX509(user.certificate, 'RS256'),
        userKeyId,
        iamCredentialsApi: options.iamCredentialsApi ?? true,
      });
      return account;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  return {
    url,
    certsUrl: `${url}/oauth2/v3/certs`,
    serviceAccountCertsUrl: `${url}/service_accounts/v1/metadata/x509/`,
    iamCredentialsUrl: url,
    createServiceAccount,
    issueIdToken: (claims, lifetimeSeconds = 3600) => googleKeys.at(-1)!.sign({ iss: 'https://accounts.google.com', ...claims }, lifetimeSeconds),
    async rotateGoogleKey() {
      googleKeys.push(await createSigningKey());
      if (googleKeys.length > 2) googleKeys.shift();
    },
    requests,
    signedPayloads,
    close: () => server.close(),
  };
}
