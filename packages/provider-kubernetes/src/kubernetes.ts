import { defineProvider, type Provider } from '@auth/core/provider';
import { kubernetesOptions, type KubernetesSettings } from './options.js';
import { kubernetesProof } from './proof.js';
import { createKubernetesVerify } from './verify.js';

export interface KubernetesProviderOptions {
  /** The `provider = "..."` id (default `kubernetes`). */
  id?: string;
  name?: string;
}

/** Kubernetes service accounts: the `kubernetes` proof (client side) and the `kubernetes-auth` verifier (server side). */
export function createKubernetes(options: KubernetesProviderOptions = {}): Provider<KubernetesSettings> {
  return defineProvider<KubernetesSettings>({
    specificationVersion: 'v1',
    id: options.id ?? 'kubernetes',
    name: options.name ?? 'Kubernetes service account',
    options: kubernetesOptions,
    proof: kubernetesProof,
    verify: createKubernetesVerify(),
  });
}

export const kubernetes = createKubernetes();
