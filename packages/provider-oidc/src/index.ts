import type { Provider } from '@auth/core/provider';
import type { OidcSettings } from './options.js';
import { oidc } from './oidc.js';

export { createOidc, oidc, type OidcProviderOptions } from './oidc.js';
export { oidcOptions, type OidcSettings } from './options.js';

export default oidc satisfies Provider<OidcSettings>;
export { createFederatedJwtVerifier, normaliseAudience, FEDERATED_JWT_METHODS } from './verify/federated-jwt-verifier.js';
export { oidcAuthBindingSchema, jwtAuthBindingSchema, ASYMMETRIC_ALGORITHMS, type OidcAuthBinding, type JwtAuthBinding } from './verify/binding.js';
export { createBearerGateway } from './gateway/bearer-gateway.js';
export { bearerGatewayConfig, type BearerGatewayConfig } from './gateway/gateway-config.js';
