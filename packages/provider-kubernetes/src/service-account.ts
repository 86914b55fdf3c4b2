import picomatch from 'picomatch';
import type { KubernetesBinding } from './binding.js';

const USERNAME = /^system:serviceaccount:([^:]+):([^:]+)$/;

export interface ServiceAccountName {
  namespace: string;
  name: string;
}

/** `system:serviceaccount:<namespace>:<name>` ("Authenticating", service account tokens), or undefined. */
export function parseServiceAccount(username: unknown): ServiceAccountName | undefined {
  const match = typeof username === 'string' ? USERNAME.exec(username) : null;
  return match === null ? undefined : { namespace: match[1]!, name: match[2]! };
}

/** Why the binding refuses this service account, or undefined when it allows it (exact names or picomatch globs, as Infisical). */
export function refusal(account: ServiceAccountName, binding: KubernetesBinding): string | undefined {
  const matches = (value: string, patterns: readonly string[]) => patterns.some((pattern) => value === pattern || picomatch.isMatch(value, pattern));
  if (!matches(account.namespace, binding.allowed_namespaces)) return `namespace ${account.namespace} is not in allowed_namespaces`;
  if (binding.allowed_names !== undefined && !matches(account.name, binding.allowed_names)) return `service account ${account.name} is not in allowed_names`;
  return undefined;
}

export function usernameOf(account: ServiceAccountName): string {
  return `system:serviceaccount:${account.namespace}:${account.name}`;
}
