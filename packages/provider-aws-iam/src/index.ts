import type { Provider } from '@auth/core/provider';
import { awsIam } from './aws-iam.js';
import type { AwsIamSettings } from './options.js';

export { awsIam, createAwsIam, type AwsIamProviderOptions } from './aws-iam.js';
export { awsIamOptions, type AwsIamSettings } from './options.js';
export { awsAuthBinding, type AwsAuthBinding } from './binding.js';
export { canonicalPrincipal, type CanonicalPrincipal } from './principal-arn.js';
export { GET_CALLER_IDENTITY_BODY, IDENTITY_ID_HEADER, SERVER_ID_HEADER } from './sts.js';

export default awsIam satisfies Provider<AwsIamSettings>;
