import type { Provider } from '@auth/core/provider';
import { gcp } from './gcp.js';
import type { GcpSettings } from './options.js';

export { gcp, createGcp, type GcpProviderOptions } from './gcp.js';
export { gcpOptions, GOOGLE_ENDPOINTS, type GcpSettings } from './options.js';
export { gcpBinding, GOOGLE_KEYS, type GcpBinding, type GceBinding, type IamBinding } from './binding.js';
export { IAM_MAX_JWT_LIFETIME } from './verify-iam.js';

export default gcp satisfies Provider<GcpSettings>;
