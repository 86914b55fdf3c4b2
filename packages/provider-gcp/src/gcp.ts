import { AuthError, defineProvider, type Provider } from '@auth/core/provider';
import { gcpBinding } from './binding.js';
import { KeySets } from './key-sets.js';
import { loginJwt } from '@auth/core/verify';
import { metadataIdentityToken } from './metadata-identity-token.js';
import { gcpOptions, type GcpSettings } from './options.js';
import { serviceAccountJwt } from './service-account-jwt.js';
import { verifyGce } from './verify-gce.js';
import { verifyIam } from './verify-iam.js';

export interface GcpProviderOptions {
  /** The `provider = "..."` id (default `gcp`). */
  id?: string;
  name?: string;
}

/** Both kms methods log in through Infisical's `gcp-auth` login (`POST /api/v1/auth/gcp-auth/login {identityId, jwt}`). */
const LOGIN_METHOD = 'gcp-auth';
const KEY_FILE_OPTION = 'service-account-key-file-path';

/**
 * Google Cloud machine identities. Client side, `gcp-id-token` asks the VM's
 * metadata server for a Google-signed ID token and `gcp-iam` has Google sign a
 * JWT for the service account of a key file; either JWT's audience is the
 * machine identity's id. Server side, `gcp-auth` checks a `gce` token against
 * Google's keys only and an `iam` JWT against its service account's keys only.
 */
export function createGcp(options: GcpProviderOptions = {}): Provider<GcpSettings> {
  // Google's keys and each account's certificates, kept across logins for their max-age.
  const keySets = new KeySets();
  return defineProvider<GcpSettings>({
    specificationVersion: 'v1',
    id: options.id ?? 'gcp',
    name: options.name ?? 'Google Cloud',
    options: gcpOptions,
    proof: {
      specificationVersion: 'v1',
      methods: ['gcp-id-token', 'gcp-iam'],
      async prove(request) {
        const identityId = request.identityId;
        if (identityId === undefined || identityId === '') {
          throw new AuthError('USAGE', `--method ${request.method} needs --machine-identity-id: the JWT is made out to that identity`, {
            hint: `add --machine-identity-id <id>`,
          });
        }
        let jwt: string;
        if (request.method === 'gcp-id-token') {
          jwt = await metadataIdentityToken(request, identityId);
        } else if (request.method === 'gcp-iam') {
          const keyPath = request.options[KEY_FILE_OPTION] || request.settings.service_account_key_file_path;
          if (keyPath === undefined || keyPath === '') {
            throw new AuthError('USAGE', `--method gcp-iam needs --${KEY_FILE_OPTION} (or INFISICAL_GCP_IAM_SERVICE_ACCOUNT_KEY_FILE_PATH): the service account's JSON key`, {
              hint: `add --${KEY_FILE_OPTION} /path/to/key.json, or service_account_key_file_path to [profiles.${request.profile}] in ${request.file}`,
            });
          }
          jwt = await serviceAccountJwt(request, identityId, keyPath);
        } else {
          throw new AuthError('USAGE', `The gcp provider has no method ${JSON.stringify(request.method)}`, { hint: 'use --method gcp-id-token or --method gcp-iam' });
        }
        return { loginMethod: LOGIN_METHOD, body: { identityId, jwt } };
      },
    },
    verify: {
      specificationVersion: 'v1',
      loginMethods: [LOGIN_METHOD],
      bindingSchema(loginMethod) {
        if (loginMethod !== LOGIN_METHOD) throw new AuthError('USAGE', `The gcp provider verifies ${LOGIN_METHOD}, not ${JSON.stringify(loginMethod)}`);
        return gcpBinding;
      },
      async verify(request) {
        if (request.loginMethod !== LOGIN_METHOD) throw new AuthError('USAGE', `The gcp provider verifies ${LOGIN_METHOD}, not ${JSON.stringify(request.loginMethod)}`);
        const binding = gcpBinding.safeParse(request.binding);
        if (!binding.success) {
          throw new AuthError('CONFIG_INVALID', `The identity's gcp-auth binding is invalid: ${binding.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`);
        }
        const token = loginJwt(request.body, 'send {"identityId": "...", "jwt": "<Google-signed or service-account-signed JWT>"}');
        return binding.data.type === 'gce'
          ? verifyGce(token, binding.data, request, keySets)
          : verifyIam(token, binding.data, request, keySets);
      },
    },
  });
}

export const gcp = createGcp();
