import type { Provider } from '@auth/core/provider';
import { auth0 } from './auth0.js';
import type { Auth0Settings } from './options.js';

export { auth0, createAuth0, type Auth0ProviderOptions } from './auth0.js';
export { auth0Issuer, auth0Options, type Auth0Settings } from './options.js';

export default auth0 satisfies Provider<Auth0Settings>;
