import { AuthError, type GatewayAuthenticator, type GatewayCapability, type GatewayContext, type GatewayDecision, type GatewayMetric, type GatewayRequest } from '@auth/core/provider';
import { JwksCache, JwtVerifier } from '@auth/core/verify';
import { bearerGatewayConfig, type BearerGatewayConfig } from './gateway-config.js';

/** RFC 6750 §2.1: `Bearer` then the b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
/** Far above any IdP's access token (a few KiB); a longer one is not worth hashing. */
const MAX_TOKEN_LENGTH = 16 * 1024;

type Outcome = 'allowed' | 'forbidden' | 'invalid_token' | 'no_token' | 'unavailable';

/**
 * The gateway's bearer-JWT authentication in InfluxDB Clustered's admin
 * model: a token of the configured IdP, verified against its JWKS, whose
 * user id (`sub`, or `oid` for `identityProvider = "azure"`) is in `users`.
 *
 * Answers (JSON bodies of our own: Clustered's are not public):
 * - no bearer token: 401 `WWW-Authenticate: Bearer realm="…"` (RFC 6750 §3.1: no error code);
 * - a token that is malformed, expired, badly signed, of another issuer or
 *   audience: 401 with `error="invalid_token"`;
 * - a valid token of a user not listed: 403;
 * - the IdP's keys out of reach beyond the stale bound: 503.
 */
export function createBearerGateway(providerId: string): GatewayCapability<BearerGatewayConfig> {
  return {
    specificationVersion: 'v1',
    configSchema: bearerGatewayConfig,
    async createAuthenticator(config, context) {
      return bearerAuthenticator(providerId, config, context);
    },
  };
}

function bearerAuthenticator(providerId: string, config: BearerGatewayConfig, context: GatewayContext): GatewayAuthenticator {
  const keys = new JwksCache({
    url: config.jwksEndpoint,
    followDiscovery: true,
    maxStaleMs: config.maxStaleSeconds * 1000,
    hint: `check jwksEndpoint in ${context.where}, or the network path to the identity provider`,
  });
  const verifier = new JwtVerifier({
    keys,
    ...(config.algorithms === undefined ? {} : { algorithms: config.algorithms }),
    ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
    ...(config.audience === undefined ? {} : { audience: config.audience }),
    clockToleranceSeconds: config.clockSkewSeconds,
    cacheSize: config.verificationCacheSize,
  });
  // Entra object ids are GUIDs, which compare without regard to case.
  const azure = config.identityProvider === 'azure';
  const userClaim = azure ? 'oid' : 'sub';
  const users = new Map(config.users.map((user) => [azure ? user.id.toLowerCase() : user.id, user]));
  const outcomes = new Map<Outcome, number>();
  const realm = `realm="${config.realm}"`;

  const deny = (outcome: Outcome, status: number, reason: string, body: { code: string; message: string }, challenge?: string): GatewayDecision => {
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    return {
      allow: false,
      status,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        ...(challenge === undefined ? {} : { 'www-authenticate': challenge }),
      },
      body: JSON.stringify(body),
      reason,
    };
  };
  const invalidToken = (reason: string): GatewayDecision =>
    deny('invalid_token', 401, reason, { code: 'unauthenticated', message: 'The access token is malformed, expired or not signed by the identity provider' }, `Bearer ${realm}, error="invalid_token"`);

  return {
    async authenticate(request: GatewayRequest): Promise<GatewayDecision> {
      const authorization = request.headers.authorization;
      if (authorization === undefined || !/^Bearer(\s|$)/i.test(authorization)) {
        return deny('no_token', 401, 'no bearer token in Authorization', { code: 'unauthenticated', message: 'A bearer access token is required (Authorization: Bearer <token>)' }, `Bearer ${realm}`);
      }
      const token = BEARER.exec(authorization)?.[1];
      if (token === undefined || token.length > MAX_TOKEN_LENGTH) return invalidToken('the Authorization header is not "Bearer <b64token>" (RFC 6750 §2.1), or the token is too long');
      let claims: Record<string, unknown>;
      try {
        ({ claims } = await verifier.verify(token, context.now(), { fetch: context.io.fetch, timeoutMs: context.io.timeoutMs, signal: request.signal }));
      } catch (error) {
        if (AuthError.is(error) && error.code === 'ACCESS_DENIED') return invalidToken(error.message);
        const message = AuthError.is(error) ? error.message : String(error);
        context.log('gateway.jwks_unavailable', { url: config.jwksEndpoint, error: message });
        return deny('unavailable', 503, `the identity provider's keys cannot be had: ${message}`, {
          code: 'unavailable',
          message: 'The identity provider\'s signing keys cannot be fetched; try again later',
        });
      }
      const id = claims[userClaim];
      const user = typeof id === 'string' ? users.get(azure ? id.toLowerCase() : id) : undefined;
      if (user === undefined) {
        return deny('forbidden', 403, `${userClaim} ${JSON.stringify(id)} is not among the users of ${context.where}`, {
          code: 'permission_denied',
          message: 'This user is not an administrator of this service',
        });
      }
      outcomes.set('allowed', (outcomes.get('allowed') ?? 0) + 1);
      return {
        allow: true,
        principal: {
          subject: user.id,
          issuer: typeof claims.iss === 'string' ? claims.iss : config.jwksEndpoint,
          provider: providerId,
          claims,
          permissions: ['admin'],
        },
        ...(config.forwardAuthorization ? {} : { upstreamHeaders: { authorization: null } }),
      };
    },

    metrics(): readonly GatewayMetric[] {
      return [
        ...[...outcomes].map(([result, value]) => ({
          name: 'bearer_requests_total',
          help: 'Requests the bearer-JWT authenticator answered, by result.',
          type: 'counter' as const,
          value,
          labels: { result },
        })),
        { name: 'jwt_verifications_total', help: 'Bearer JWTs verified (signature checked or answered from the verification cache).', type: 'counter', value: verifier.stats.verifications },
        { name: 'jwt_verification_cache_hits_total', help: 'Bearer JWTs answered from the verification cache, without a signature check.', type: 'counter', value: verifier.stats.cacheHits },
        { name: 'jwks_fetches_total', help: 'Fetches of the identity provider\'s key set.', type: 'counter', value: keys.stats.fetches },
        { name: 'jwks_fetch_failures_total', help: 'Fetches of the identity provider\'s key set that failed (no answer, an error status, no usable key).', type: 'counter', value: keys.stats.fetchFailures },
      ];
    },
  };
}
