// @auth/core: the host API the CLI and the server use (config, stores, flows,
// token manager, sessions, the plugin loader), plus everything in
// @auth/core/provider, the surface provider plugins are written against.

export * from './provider.js';
export type * from './config/types.js';
export type * from './session/types.js';

export * from './token/refresh-window.js';

// config (helper: config)
export * from './config/paths.js';
export * from './config/load-config.js';
export * from './config/resolve-profile.js';
export * from './config/write-config.js';
export { parseToml } from './config/parse-toml.js';
export * from './config/check-url.js';
export * from './config/profile-name.js';

// stores (helper: stores)
export * from './stores/file-store.js';
export * from './stores/memory-store.js';
export * from './stores/open-store.js';
export * from './stores/keyring-store.js';
export * from './stores/describe-store.js';
export * from './stores/switch-store.js';
export { writeFileAtomic } from './stores/atomic-write.js';
export { removeSinks, writeSinks, type SinkToken } from './sinks/sink-files.js';
export { readSinkToken, sinkDir, type SinkRecord } from './sinks/sink-token.js';

// flows, token manager, sessions, plugins (helper: flows)
export * from './flows/index.js';
export * from './token/token-manager.js';
export * from './session/login.js';
export * from './session/logout.js';
export * from './session/basic-login.js';
export * from './session/identities.js';
export * from './session/identity-name.js';
export * from './plugins/load-provider.js';
export * from './plugins/discover-providers.js';
export * from './plugins/plugin-locations.js';
export * from './plugins/provider-package-name.js';
export * from './plugins/install-command.js';

// machine identities: the `exchange` flow and the built-in proofs
export { obtainMachineCredential, renewMachineCredential } from './machine/machine-login.js';
export { loginApiBase } from './machine/login-api.js';
export { MACHINE_PROVIDER_ID, machineProvider } from './machine/machine-provider.js';

// network: CA files and proxies (helper: networks)
export * from './http/profile-fetch.js';
export { PAGE_STYLE } from './pages/page-style.js';
export { requestUrl } from './http/request-url.js';
export { withFileLock, type FileLockOptions } from './stores/file-lock.js';
