import { AuthError, type Principal, type VerifyCapability, type VerifyRequest } from '@auth/core/provider';
import { awsAuthBinding, type AwsAuthBinding } from './binding.js';
import { describeStsError, parseCallerIdentity, type CallerIdentity } from './caller-identity.js';
import { canonicalPrincipal, principalMatches } from './principal-arn.js';
import { checkSignedRequest, denied, readLoginFields } from './signed-request.js';
import { regionalStsUrl } from './sts.js';

/**
 * `aws-auth`: the login API checks the caller's signed GetCallerIdentity request, sends it to the
 * configured STS endpoint (never a host the caller names), and binds the identity STS answers.
 */
export function awsAuthVerify(providerId: string): VerifyCapability<AwsAuthBinding> {
  return {
    specificationVersion: 'v1',
    loginMethods: ['aws-auth'],
    bindingSchema: () => awsAuthBinding,
    async verify(request: VerifyRequest<AwsAuthBinding>): Promise<Principal> {
      const { binding } = request;
      const stsUrl = binding.sts_endpoint === undefined ? regionalStsUrl(binding.region) : new URL(binding.sts_endpoint).href;
      const fields = readLoginFields(request.body);
      const headers = checkSignedRequest(fields, { stsUrl, region: binding.region, serverId: binding.server_id, identityId: request.identityId });
      const identity = await callStsAt(stsUrl, headers, fields.body, request.io);

      const principal = canonicalPrincipal(identity.arn);
      if (principal === undefined) throw denied(`principal ${identity.arn} is not an IAM user or role`);
      if (principal.account !== identity.account) throw denied(`STS answered account ${identity.account} for ${identity.arn}`);
      const accounts = binding.allowed_account_ids ?? [];
      if (accounts.length > 0 && !accounts.includes(principal.account)) throw denied(`AWS account ${principal.account} is not allowed`);
      const arns = binding.allowed_principal_arns ?? [];
      if (arns.length > 0 && !arns.some((pattern) => principalMatches(pattern, principal.arn))) throw denied(`principal ${principal.arn} is not allowed`);

      return {
        subject: principal.arn,
        issuer: stsUrl,
        provider: providerId,
        claims: { account: identity.account, arn: identity.arn, userId: identity.userId },
        permissions: [],
      };
    },
  };
}

async function callStsAt(
  stsUrl: string,
  headers: Record<string, string>,
  body: string,
  io: VerifyRequest['io'],
): Promise<CallerIdentity> {
  let response: Response;
  let text: string;
  try {
    // No redirect is followed: STS never sends one, and following it would send the signed request elsewhere.
    response = await io.fetch(stsUrl, { method: 'POST', headers, body, redirect: 'manual', signal: io.signal });
    text = await response.text();
  } catch (error) {
    if (AuthError.is(error)) {
      // An answer too large to read is no GetCallerIdentity answer.
      if (error.code === 'PROTOCOL') throw denied(`STS at ${stsUrl} sent an oversized answer`);
      throw error;
    }
    const timedOut = (error as Error).name === 'TimeoutError';
    throw new AuthError(timedOut ? 'TIMEOUT' : 'NETWORK', `aws-auth: STS at ${stsUrl} ${timedOut ? 'did not answer in time' : 'could not be reached'}`, {
      url: stsUrl,
      cause: error,
    });
  }
  if (response.status >= 300 && response.status < 400) throw denied(`STS at ${stsUrl} answered a redirect (${response.status}); not followed`);
  if (response.status >= 500) {
    throw new AuthError('NETWORK', `aws-auth: STS at ${stsUrl} failed (${response.status}: ${describeStsError(text)})`, { url: stsUrl, status: response.status });
  }
  if (response.status !== 200) throw denied(`STS refused the signed request (${response.status}: ${describeStsError(text)})`);
  const contentType = response.headers.get('content-type');
  if (contentType?.toLowerCase() !== 'text/xml') throw denied(`STS answered with content type ${JSON.stringify(contentType)}, not text/xml`);
  return parseCallerIdentity(text);
}
