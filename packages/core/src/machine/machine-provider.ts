import { z } from 'zod';
import type { MachineProof, ProofRequest } from '../contracts/v1/machine-identity.js';
import type { Provider } from '../contracts/v1/provider.js';
import { AuthError } from '../errors.js';

/**
 * The machine-identity logins that need no platform, built into core as
 * provider `machine`: `universal-auth` (a client id and secret) and
 * `jwt-auth` / `oidc-auth` (a JWT the workload already holds, e.g. a CI
 * job's OIDC token). The session puts the secret and the JWT into the
 * request's options (`client-secret`, `jwt`) from their sources, so this
 * only shapes the login bodies of Infisical's API reference
 * (https://infisical.com/docs/api-reference/endpoints/universal-auth/login,
 * .../jwt-auth/login, .../oidc-auth/login).
 */
export const MACHINE_PROVIDER_ID = 'machine';

const METHODS = ['universal-auth', 'jwt-auth', 'oidc-auth'] as const;

async function prove(request: ProofRequest): Promise<MachineProof> {
  const { method, options, profile, file } = request;
  if (method === 'universal-auth') {
    const clientId = options['client-id'];
    if (clientId === undefined) throw missingSetting(profile, file, 'client_id', method, '--client-id or INFISICAL_UNIVERSAL_AUTH_CLIENT_ID');
    const clientSecret = options['client-secret'];
    if (clientSecret === undefined) {
      throw new AuthError('LOGIN_REQUIRED', `No client secret for universal-auth client ${clientId} (profile ${profile})`, {
        profile,
        hint: 'set INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET or AUTHCTL_CLIENT_SECRET, or log in with --client-secret-stdin (authctl then keeps it in the credential store)',
      });
    }
    return { loginMethod: method, body: { clientId, clientSecret } };
  }
  const identityId = request.identityId;
  if (identityId === undefined) throw missingSetting(profile, file, 'identity_id', method, '--machine-identity-id or INFISICAL_MACHINE_IDENTITY_ID');
  const jwt = options.jwt;
  if (jwt === undefined) {
    throw new AuthError('LOGIN_REQUIRED', `No JWT for the ${method} login of profile ${profile}`, {
      profile,
      hint: 'pass --jwt-file PATH (kept in the profile as jwt_file), set INFISICAL_JWT, or pass --jwt',
    });
  }
  return { loginMethod: method, body: { identityId, jwt } };
}

function missingSetting(profile: string, file: string, key: string, method: string, source: string): AuthError {
  return new AuthError('CONFIG_INVALID', `${file}: profiles.${profile}.${key} is required for the ${method} login`, {
    file,
    profile,
    key: `profiles.${profile}.${key}`,
    hint: `pass ${source} to \`authctl login --method ${method}\`, or add ${key} = "..." to [profiles.${profile}]`,
  });
}

export const machineProvider: Provider = {
  specificationVersion: 'v1',
  id: MACHINE_PROVIDER_ID,
  name: 'Machine identity (universal-auth, jwt-auth, oidc-auth)',
  // Its keys (method, domain, client_id, identity_id, jwt_file, …) are common profile keys.
  options: z.object({}),
  proof: { specificationVersion: 'v1', methods: METHODS, prove },
};
