import type { Provider } from '@auth/core/provider';
import { kubernetes } from './kubernetes.js';
import type { KubernetesSettings } from './options.js';

export { createKubernetes, kubernetes, type KubernetesProviderOptions } from './kubernetes.js';
export { DEFAULT_TOKEN_PATH, kubernetesOptions, type KubernetesSettings } from './options.js';
export { kubernetesBinding, type KubernetesBinding } from './binding.js';

export default kubernetes satisfies Provider<KubernetesSettings>;
