import type { Provider } from '@auth/core';
import type { OidcSettings } from './options.js';
import { oidc } from './oidc.js';

export { createOidc, oidc, type OidcProviderOptions } from './oidc.js';
export { oidcOptions, type OidcSettings } from './options.js';

export default oidc satisfies Provider<OidcSettings>;
