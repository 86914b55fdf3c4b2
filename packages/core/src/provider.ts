// @auth/core/provider: what a provider plugin is written against. The versioned
// contracts, the error class and its codes, `defineProvider`, the specification
// versions core loads, and the helpers a provider calls (authorization-server
// discovery, error mapping, bounded fetches). The CLI and the server use the root
// entry, which adds config, stores, flows, sessions and the plugin loader; nothing
// here loads the keyring, the lock library or the config parser.
//
// A third-party plugin needs none of this at runtime: the contracts are types,
// `defineProvider` is an identity function, and an Error named `AuthError` with a
// known `code` and a `details` object is recognised as one (see AuthError.is).

export * from './errors.js';
export * from './token-set.js';
export type * from './contracts/v1/interaction.js';
export type * from './contracts/v1/credential-store.js';
export type * from './contracts/v1/flow.js';
export type * from './contracts/v1/provider.js';
export type * from './contracts/v1/admin.js';
export type * from './contracts/v1/basic-credential.js';
export type * from './contracts/v1/machine-identity.js';
export type * from './contracts/v1/gateway.js';

export { defineProvider } from './plugins/define-provider.js';
export { SPECIFICATION_VERSIONS, type SpecificationVersion } from './plugins/specification-version.js';

export { discoverAuthorizationServer, explicitAuthorizationServer, type ExplicitEndpoints } from './flows/authorization-server.js';
export { getFlow } from './flows/index.js';
export { toAuthError, type FailureSite } from './flows/map-error.js';
export { basicAuthorization } from './token/basic-authorization.js';
export { isLoopbackHost } from './config/check-url.js';
export * from './http/bounded-fetch.js';
export { platformFetch } from './http/platform-fetch.js';
export * from './http/create-fetch.js';
export type { ClientCertificateFiles } from './http/client-certificate.js';
