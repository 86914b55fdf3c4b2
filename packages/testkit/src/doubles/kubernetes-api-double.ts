// Contract double of a Kubernetes API server's token authentication, following the Kubernetes API
// reference "TokenReview" (authentication.k8s.io/v1,
// https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-review-v1/),
// "Authenticating" (https://kubernetes.io/docs/reference/access-authn-authz/authentication/),
// "Configure Service Accounts for Pods" (service account token volume projection and issuer discovery,
// https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/) and the bound
// token claims of KEP-1205 (`kubernetes.io.{namespace, serviceaccount, pod}`):
// - POST /apis/authentication.k8s.io/v1/tokenreviews with a bearer token: 401 Status when the caller is not
//   authenticated for the API server's own audience, 403 Status when it may not create tokenreviews
//   (no system:auth-delegator binding), else 201 with the TokenReview's `status`.
// - A token is authenticated for `spec.audiences` (the API server's audiences when empty) only if its
//   `aud` intersects them; `status.audiences` is that intersection. An expired token, a deleted service
//   account or a token of another signer is `authenticated: false` with an `error`.
// - GET /.well-known/openid-configuration and /openid/v1/jwks for offline validation.
import { randomUUID } from 'node:crypto';
import { jwtVerify, type JWTPayload } from 'jose';
import { serveDouble, type DoubleRequest, type Reply } from './double-server.js';
import { createSigningKey } from './signing-key.js';

export interface KubernetesServiceAccount {
  namespace: string;
  name: string;
  uid: string;
}

export interface KubernetesApiDoubleOptions {
  /** The API server's clock in epoch seconds (default: the real one): tokens are minted at the real time and judged by this clock. */
  now?: () => number;
  /** Serve HTTPS with this certificate and key (e.g. from `createTestCA`), as a cluster with its own CA does. */
  tls?: { cert: string; key: string };
}

export interface KubernetesApiDouble {
  /** `https://<host>` stand-in: the `kubernetes_host` of a binding. */
  url: string;
  /** `--service-account-issuer`: the `iss` of every token and of the discovery document. */
  issuer: string;
  /** The API server's own audience (`--api-audiences`, default the issuer). */
  apiAudience: string;
  /** Creates a service account; `reviewer` grants it system:auth-delegator (it may create tokenreviews). */
  createServiceAccount(namespace: string, name: string, options?: { reviewer?: boolean }): KubernetesServiceAccount;
  deleteServiceAccount(account: KubernetesServiceAccount): void;
  /** A projected token, as the kubelet writes it (`serviceAccountToken.audience`; default the API audience). */
  projectedToken(account: KubernetesServiceAccount, options?: { audiences?: string[]; lifetimeSeconds?: number; overrides?: JWTPayload }): Promise<string>;
  /** Every TokenReview received: the requested audiences and the answer's status code. */
  reviews: Array<{ audiences: string[] | undefined; status: number }>;
  close(): Promise<void>;
}

const REVIEW_PATH = '/apis/authentication.k8s.io/v1/tokenreviews';
// As on most clusters, the issuer names the in-cluster service, not the URL the API server is reached at.
const ISSUER = 'https://kubernetes.default.svc.cluster.local';

export async function startKubernetesApiDouble(options: KubernetesApiDoubleOptions = {}): Promise<KubernetesApiDouble> {
  const key = await createSigningKey();
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const accounts = new Map<string, KubernetesServiceAccount & { reviewer: boolean }>();
  const reviews: KubernetesApiDouble['reviews'] = [];
  let base = '';

  const status = (code: number, reason: string, message: string): Reply => ({
    status: code,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code },
  });

  /** What the service-account authenticator decides for `token` asked for `audiences`. */
  type Account = KubernetesServiceAccount & { reviewer: boolean };
  async function authenticate(token: string, audiences: string[]): Promise<{ error: string } | { account: Account; audiences: string[] }> {
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, key.publicKey, { issuer: ISSUER, currentDate: new Date(now() * 1000) }));
    } catch (cause) {
      // The API server's own wording for an expired token (pkg/serviceaccount/claims.go).
      const reason = (cause as { code?: unknown }).code === 'ERR_JWT_EXPIRED' ? 'service account token has expired' : (cause as Error).message;
      return { error: `[invalid bearer token, ${reason}]` };
    }
    const tokenAudiences = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud ?? []);
    const granted = audiences.filter((audience) => tokenAudiences.includes(audience));
    if (granted.length === 0) {
      return { error: `[invalid bearer token, token audiences ${JSON.stringify(tokenAudiences)} is invalid for the target audiences ${JSON.stringify(audiences)}]` };
    }
    const bound = (claims['kubernetes.io'] ?? {}) as { namespace?: string; serviceaccount?: { name?: string; uid?: string } };
    const account = accounts.get(`${bound.namespace}/${bound.serviceaccount?.name}`);
    if (account === undefined || account.uid !== bound.serviceaccount?.uid) {
      return { error: `[invalid bearer token, service account ${bound.namespace}/${bound.serviceaccount?.name} has been deleted]` };
    }
    return { account, audiences: granted };
  }

  async function review(request: DoubleRequest): Promise<Reply> {
    const authorization = request.headers.authorization ?? '';
    const caller = authorization.startsWith('Bearer ') ? await authenticate(authorization.slice(7), [ISSUER]) : { error: 'no credentials' };
    if (!('account' in caller)) return status(401, 'Unauthorized', 'Unauthorized');
    if (!caller.account.reviewer) {
      const user = `system:serviceaccount:${caller.account.namespace}:${caller.account.name}`;
      return status(403, 'Forbidden', `tokenreviews.authentication.k8s.io is forbidden: User "${user}" cannot create resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope`);
    }
    let body: { apiVersion?: unknown; kind?: unknown; spec?: { token?: unknown; audiences?: unknown } };
    try {
      body = JSON.parse(request.text) as typeof body;
    } catch {
      return status(400, 'BadRequest', 'the body of the request was in an unknown format');
    }
    if (body.kind !== 'TokenReview' || body.apiVersion !== 'authentication.k8s.io/v1' || typeof body.spec?.token !== 'string') {
      return status(400, 'BadRequest', 'TokenReview in version "v1" cannot be handled: spec.token is required');
    }
    const requested = Array.isArray(body.spec.audiences) ? body.spec.audiences.filter((a): a is string => typeof a === 'string') : undefined;
    const result = await authenticate(body.spec.token, requested?.length ? requested : [ISSUER]);
    const reviewStatus =
      'account' in result
        ? {
            authenticated: true,
            user: {
              username: `system:serviceaccount:${result.account.namespace}:${result.account.name}`,
              uid: result.account.uid,
              groups: ['system:serviceaccounts', `system:serviceaccounts:${result.account.namespace}`, 'system:authenticated'],
            },
            audiences: result.audiences,
          }
        : { user: {}, error: result.error };
    reviews.push({ audiences: requested, status: 201 });
    return { status: 201, body: { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, spec: body.spec, status: reviewStatus } };
  }

  const server = await serveDouble(async (request) => {
    if (request.method === 'POST' && request.path === REVIEW_PATH) return review(request);
    if (request.method === 'GET' && request.path === '/.well-known/openid-configuration') {
      return {
        status: 200,
        body: {
          issuer: ISSUER,
          jwks_uri: `${base}/openid/v1/jwks`,
          response_types_supported: ['id_token'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        },
      };
    }
    if (request.method === 'GET' && request.path === '/openid/v1/jwks') return { status: 200, body: key.jwks() };
    return status(404, 'NotFound', 'the server could not find the requested resource');
  }, options.tls === undefined ? {} : { tls: options.tls });
  base = server.url;

  return {
    url: server.url,
    issuer: ISSUER,
    apiAudience: ISSUER,
    createServiceAccount(namespace, name, { reviewer = false } = {}) {
      const account = { namespace, name, uid: randomUUID(), reviewer };
      accounts.set(`${namespace}/${name}`, account);
      return { namespace, name, uid: account.uid };
    },
    deleteServiceAccount(account) {
      accounts.delete(`${account.namespace}/${account.name}`);
    },
    projectedToken(account, { audiences = [ISSUER], lifetimeSeconds = 3600, overrides = {} } = {}) {
      const issuedAt = Math.floor(Date.now() / 1000);
      return key.sign(
        {
          iss: ISSUER,
          sub: `system:serviceaccount:${account.namespace}:${account.name}`,
          aud: audiences,
          nbf: issuedAt,
          'kubernetes.io': {
            namespace: account.namespace,
            serviceaccount: { name: account.name, uid: account.uid },
            pod: { name: `${account.name}-7d9f8b6c5-x2k4p`, uid: randomUUID() },
            warnafter: issuedAt + 3607,
          },
          ...overrides,
        },
        lifetimeSeconds,
      );
    },
    reviews,
    close: server.close,
  };
}
