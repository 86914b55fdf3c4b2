import { z } from 'zod';

/** Where the kubelet projects a pod's service-account token. */
export const DEFAULT_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Profile keys of a `kubernetes` profile; `--service-account-token-path` overrides the one here. */
export const kubernetesOptions = z.object({
  /** A projected token file, e.g. one with its own `audience` (default the service account's token). */
  service_account_token_path: z.string().min(1).optional(),
});

export type KubernetesSettings = z.infer<typeof kubernetesOptions>;
