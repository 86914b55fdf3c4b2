import type { Provider } from '@auth/core/provider';
import { entra } from './entra.js';
import type { EntraSettings } from './options.js';

export { createEntra, entra, type EntraProviderOptions } from './entra.js';
export { entraOptions, DEFAULT_AUTHORITY_HOST, type EntraSettings } from './options.js';
export { entraSubject } from './subject.js';
export { verifyEntraToken, TENANT_ID_TEMPLATE, type EntraPrincipal, type VerifyEntraTokenOptions } from './verify-token.js';

export default entra satisfies Provider<EntraSettings>;
