// `@auth/core/verify`: helpers for a provider's `verify` and `gateway`
// capabilities. The one part of core that loads jose, so the CLI never pays for it.
export { JwksCache, type JwksCacheOptions, type JwksCacheStats, type JwksIO } from './jwks-cache.js';
export { JwtVerifier, type JwtVerifierOptions, type JwtVerifierStats, type VerifiedJwt } from './jwt-verifier.js';
export { JWS_ALGORITHMS, type JwsAlgorithm, type JwsHeader } from './jws.js';
export { loginJwt, type LoginJwt } from './login-jwt.js';
