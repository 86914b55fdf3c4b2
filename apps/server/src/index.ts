// @auth/server: the embedded OpenID issuer and the gateway behind `auth-server`.

export { startAuthServer, type StartAuthServerOptions, type RunningAuthServer } from './server/start-auth-server.js';
export { loadServerConfig, parseServerConfig } from './config/load-config.js';
export {
  serverConfigSchema,
  GRANTS,
  SIGNING_ALGS,
  type GrantName,
  type SigningAlg,
  type ServerConfig,
  type ServerConfigInput,
  type UserConfig,
  type ClientConfig,
  type ResourceConfig,
  type LockoutConfig,
  ROLES,
  type RoleName,
  type IssuerConfig,
  type GatewayConfig,
  type GatewayRouteConfig,
} from './config/schema.js';
export type { RunningGateway } from './gateway/gateway-server.js';
export {
  prepareDevMode,
  DEV_DEFAULT_DATA_DIR,
  DEV_DEFAULT_LISTEN,
  DEV_USER,
  DEV_CLI_CLIENT,
  DEV_SERVICE_CLIENT,
  DEV_RESOURCE,
  DEV_MACHINE,
  type DevMode,
  type DevModeOptions,
} from './dev/dev-mode.js';
export { loadOrCreateKeys, rotateSigningKey, retireSigningKey, listSigningKeys, type KeySet, type SigningKey } from './keys/key-store.js';
export { hashSecret, verifySecret } from './secrets/scrypt-hash.js';
export type { LockoutStore, LockoutVerdict } from './guard/lockout-store.js';
export type { LockoutPolicy, FailureRecord } from './guard/lockout-policy.js';
export { MemoryLockoutStore } from './guard/memory-lockout-store.js';
export { createLogger, REDACTED_PATHS } from './logging/logger.js';
export { CODE_PAGE_PATH } from './http/routes.js';
export { MachineAccessTokens, MACHINE_TOKEN_TYPE, type MachineLogin, type MachineTokenClaims } from './machine/access-tokens.js';
export { addClientSecret, revokeClientSecret, type ClientSecretStore, type ClientSecretRecord } from './machine/client-secrets.js';
export type { TokenRevocationStore } from './machine/token-revocations.js';
export { LOGIN_API_PREFIX } from './machine/login-routes.js';
