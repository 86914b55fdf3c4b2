// @auth/testkit/conformance: the suites a provider plugin or credential store
// runs to show it keeps the v1 contracts, the same ones the first-party
// packages pass. Each registers vitest `describe` blocks; call it at the top
// level of a test file.
export { describeProviderConformance, CONFORMANCE_FLOWS, PROVIDER_CAPABILITIES } from './provider-conformance.js';
export type { ConformanceFlow, ProviderCapabilityName, ProviderConformanceOptions, ProviderManifest } from './provider-conformance.js';
export { describeCredentialStoreConformance } from './store-conformance.js';
export type { CredentialStoreConformanceOptions, CredentialStoreManifest } from './store-conformance.js';
export { describeAdminConformance } from './admin-conformance.js';
export type { AdminConformanceOptions, AdminManifest, AdminRun, AdminServer } from './admin-conformance.js';
export { testkitIdP } from './conformance-idp.js';
export type { ConformanceIdP, DeviceCodeShown, TestkitConformanceIdP, TestkitIdPOptions } from './conformance-idp.js';
export { useKeyringSession } from './keyring-session-hooks.js';
