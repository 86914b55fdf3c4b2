import { AuthError, type MachineProof, type ProofCapability, type ProofRequest } from '@auth/core/provider';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { resolveCredentials, type CredentialChain } from './credentials.js';
import type { AwsIamSettings } from './options.js';
import { FORM_CONTENT_TYPE, GET_CALLER_IDENTITY_BODY, IDENTITY_ID_HEADER, regionalStsUrl, SERVER_ID_HEADER } from './sts.js';

/** The signer writes these in lower case; the login body carries them as the AWS docs spell them. */
const HEADER_NAMES: Readonly<Record<string, string>> = {
  authorization: 'Authorization',
  'x-amz-date': 'X-Amz-Date',
  'x-amz-security-token': 'X-Amz-Security-Token',
};

/**
 * `aws-iam`: a SigV4-signed `sts:GetCallerIdentity` request, with the login API's server id signed
 * in, sent to the login API (never to STS) in Infisical's `aws-auth` body. The login API makes the
 * call and learns who signed it.
 */
export function awsIamProof(chain?: CredentialChain): ProofCapability<AwsIamSettings> {
  return {
    specificationVersion: 'v1',
    methods: ['aws-iam'],
    async prove(request: ProofRequest<AwsIamSettings>): Promise<MachineProof> {
      const { settings, env } = request;
      if (request.identityId === undefined || request.identityId === '') {
        throw new AuthError('USAGE', 'an aws-iam login needs the machine identity it is for', {
          profile: request.profile,
          hint: 'pass --machine-identity-id <id> (or set it in the environment)',
        });
      }
      const region = settings.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
      const endpoint = new URL(settings.sts_endpoint ?? regionalStsUrl(region));
      const serverId = settings.server_id ?? serverIdFromLoginUrl(request);
      const signer = new SignatureV4({
        credentials: await resolveCredentials(request, chain),
        region,
        service: 'sts',
        sha256: Sha256,
        // STS, like the SDK's STS client, takes no x-amz-content-sha256 header.
        applyChecksum: false,
      });
      const signed = await signer.sign({
        method: 'POST',
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        path: '/',
        query: {},
        headers: { 'Content-Type': FORM_CONTENT_TYPE, Host: endpoint.host, [SERVER_ID_HEADER]: serverId, [IDENTITY_ID_HEADER]: request.identityId },
        body: GET_CALLER_IDENTITY_BODY,
      });
      const headers = Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [HEADER_NAMES[name] ?? name, value]));
      return {
        loginMethod: 'aws-auth',
        body: {
          identityId: request.identityId,
          iamHttpRequestMethod: 'POST',
          iamRequestBody: Buffer.from(GET_CALLER_IDENTITY_BODY).toString('base64'),
          iamRequestHeaders: Buffer.from(JSON.stringify(headers)).toString('base64'),
        },
      };
    },
  };
}

function serverIdFromLoginUrl(request: ProofRequest<AwsIamSettings>): string {
  if (request.loginUrl !== undefined && URL.canParse(request.loginUrl)) return new URL(request.loginUrl).host;
  throw new AuthError('CONFIG_INVALID', `${request.file}: profiles.${request.profile}.server_id is required when the login API is not known`, {
    file: request.file,
    profile: request.profile,
    key: `profiles.${request.profile}.server_id`,
    hint: `add server_id = "<the login API's server_id>" to [profiles.${request.profile}] in ${request.file}`,
  });
}
