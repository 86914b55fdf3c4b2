import { AuthError, type ProofCapability } from '@auth/core/provider';
import { managedIdentityToken } from './managed-identity-token.js';
import { DEFAULT_IMDS_ENDPOINT, DEFAULT_RESOURCE, type AzureSettings } from './options.js';

/** kms `--method azure`: a managed identity's access token, posted to `azure-auth`. */
export const azureProof: ProofCapability<AzureSettings> = {
  specificationVersion: 'v1',
  methods: ['azure'],
  async prove(request) {
    if (!request.identityId) {
      throw new AuthError('USAGE', '--method azure needs the machine identity id', {
        profile: request.profile,
        hint: 'pass --machine-identity-id <id> or set INFISICAL_MACHINE_IDENTITY_ID',
      });
    }
    const jwt = await managedIdentityToken({
      resource: request.settings.resource ?? DEFAULT_RESOURCE,
      clientId: request.settings.managed_identity_client_id ?? (request.env.AZURE_CLIENT_ID || undefined),
      imdsEndpoint: request.settings.imds_endpoint ?? DEFAULT_IMDS_ENDPOINT,
      env: request.env,
      io: request.io,
      where: `profiles.${request.profile}`,
    });
    return { loginMethod: 'azure-auth', body: { identityId: request.identityId, jwt } };
  },
};
