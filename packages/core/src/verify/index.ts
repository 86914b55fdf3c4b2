// `@auth/core/verify`: helpers for a provider's `verify` capability. The one
// part of core that loads jose, so the CLI never pays for it.
export { jwksFailure, remoteJwks } from './remote-jwks.js';
export { loginJwt, type LoginJwt } from './login-jwt.js';
