import { readFile } from 'node:fs/promises';
import { AuthError, type ProofCapability } from '@auth/core/provider';
import { DEFAULT_TOKEN_PATH, type KubernetesSettings } from './options.js';

/**
 * kms `--method kubernetes`: the pod's projected service-account token, posted
 * to `kubernetes-auth`. The file is read at every login: the kubelet rotates it.
 */
export const kubernetesProof: ProofCapability<KubernetesSettings> = {
  specificationVersion: 'v1',
  methods: ['kubernetes'],
  async prove(request) {
    if (!request.identityId) {
      throw new AuthError('USAGE', '--method kubernetes needs the machine identity id', {
        profile: request.profile,
        hint: 'pass --machine-identity-id <id> or set INFISICAL_MACHINE_IDENTITY_ID',
      });
    }
    const fromOption = request.options['service-account-token-path'];
    const path = fromOption ?? request.settings.service_account_token_path ?? DEFAULT_TOKEN_PATH;
    const source =
      fromOption !== undefined
        ? '--service-account-token-path'
        : request.settings.service_account_token_path !== undefined
          ? `profiles.${request.profile}.service_account_token_path in ${request.file}`
          : 'the default path';
    const hint =
      'run inside a pod whose service account token is mounted, or pass --service-account-token-path ' +
      '(INFISICAL_KUBERNETES_SERVICE_ACCOUNT_TOKEN_PATH) naming a projected token file';
    let jwt: string;
    try {
      jwt = (await readFile(path, 'utf8')).trim();
    } catch (cause) {
      throw new AuthError('CONFIG_INVALID', `Cannot read the service account token ${path} (${source}): ${(cause as NodeJS.ErrnoException).code ?? 'unreadable'}`, {
        file: path,
        hint,
        cause,
      });
    }
    if (jwt === '') throw new AuthError('CONFIG_INVALID', `The service account token ${path} (${source}) is empty`, { file: path, hint });
    return { loginMethod: 'kubernetes-auth', body: { identityId: request.identityId, jwt } };
  },
};
