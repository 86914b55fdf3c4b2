import { defineProvider, type Provider } from '@auth/core/provider';
import type { CredentialChain } from './credentials.js';
import { awsIamOptions, type AwsIamSettings } from './options.js';
import { awsIamProof } from './prove.js';
import { awsAuthVerify } from './verify.js';

export interface AwsIamProviderOptions {
  /** The `provider = "..."` id (default `aws-iam`). */
  id?: string;
  name?: string;
  /** The credential chain used when `request.env` holds no static keys (default: the SDK's `fromNodeProviderChain`). */
  credentialChain?: CredentialChain;
}

/** AWS IAM machine identities: the proof on the machine, the verifier in the login API. */
export function createAwsIam(options: AwsIamProviderOptions = {}): Provider<AwsIamSettings> {
  const id = options.id ?? 'aws-iam';
  return defineProvider<AwsIamSettings>({
    specificationVersion: 'v1',
    id,
    name: options.name ?? 'AWS IAM',
    options: awsIamOptions,
    proof: awsIamProof(options.credentialChain),
    verify: awsAuthVerify(id),
  });
}

export const awsIam = createAwsIam();
