import { AuthError, type ProofRequest } from '@auth/core/provider';
import type { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity } from '@smithy/types';

export type CredentialChain = typeof fromNodeProviderChain;

// Loaded only when the chain runs: a login API verifying proofs, or a machine with keys in its
// environment, never needs the SDK's credential providers.
const defaultChain: CredentialChain = (init) => async () => (await import('@aws-sdk/credential-providers')).fromNodeProviderChain(init)();

/**
 * The AWS default credential chain, with the environment taken from `request.env`.
 *
 * Providers never read `process.env`: the CLI hands its environment over as `request.env`. Static
 * keys found there are used as they are, which is what the chain's first source (`fromEnv`) would
 * do, and that source is skipped when `AWS_PROFILE` names a profile, as the SDK skips it. Otherwise
 * the SDK's chain runs (SSO, shared files, `credential_process`, web identity, ECS, EC2 IMDS): those
 * sources read the process environment themselves and take no other, so the profile name and the
 * shared-file paths from `request.env` are passed to them explicitly, and their network calls use the
 * SDK's own time limits rather than `io.fetch`.
 */
export async function resolveCredentials(
  request: Pick<ProofRequest, 'env' | 'profile' | 'file'>,
  chain: CredentialChain = defaultChain,
): Promise<AwsCredentialIdentity> {
  const { env } = request;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  const sessionToken = env.AWS_SESSION_TOKEN;
  if (!env.AWS_PROFILE && accessKeyId && secretAccessKey) {
    return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  }
  try {
    return await chain({
      ...(env.AWS_PROFILE ? { profile: env.AWS_PROFILE } : {}),
      ...(env.AWS_SHARED_CREDENTIALS_FILE ? { filepath: env.AWS_SHARED_CREDENTIALS_FILE } : {}),
      ...(env.AWS_CONFIG_FILE ? { configFilepath: env.AWS_CONFIG_FILE } : {}),
    })();
  } catch (error) {
    // The SDK's message lists each source it tried and why it was skipped; it carries no secret.
    throw new AuthError('CONFIG_INVALID', `profile "${request.profile}" (${request.file}): no AWS credentials found: ${(error as Error).message}`, {
      profile: request.profile,
      file: request.file,
      cause: error,
      hint: 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run on an AWS host with an instance or task role',
    });
  }
}
