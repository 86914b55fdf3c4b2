import { z } from 'zod';
import { PRINCIPAL_PATTERN } from './principal-arn.js';
import { REGION_PATTERN } from './sts.js';

/**
 * What a machine identity's `aws-auth` configuration binds a login to. The STS region and
 * endpoint come from here, never from the caller's request; at least one allowlist must be
 * non-empty, and principal entries name their account literally (see PRINCIPAL_PATTERN), so
 * no binding admits every AWS caller.
 */
export const awsAuthBinding = z
  .object({
    region: z.string().regex(REGION_PATTERN, { error: 'must be an AWS region name like "eu-west-1"' }),
    /** Default `https://sts.<region>.amazonaws.com/`; another origin for a test double or a VPC endpoint. */
    sts_endpoint: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .refine((value) => URL.canParse(value) && isOrigin(new URL(value)), { error: 'must be an origin only (no path, query, fragment or credentials)' })
      .optional(),
    /** The value callers must sign into their X-Authctl-Server-ID header. */
    server_id: z.string().min(1),
    allowed_account_ids: z.array(z.string().regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account id' })).optional(),
    allowed_principal_arns: z
      .array(
        z.string().regex(PRINCIPAL_PATTERN, {
          error: 'must be an IAM user or role ARN with a literal account, e.g. "arn:aws:iam::123456789012:role/ci-*"',
        }),
      )
      .optional(),
  })
  .strict()
  .refine((binding) => (binding.allowed_account_ids?.length ?? 0) + (binding.allowed_principal_arns?.length ?? 0) > 0, {
    error: 'needs allowed_account_ids or allowed_principal_arns: an empty allowlist would admit any AWS caller',
  });

export type AwsAuthBinding = z.infer<typeof awsAuthBinding>;

function isOrigin(url: URL): boolean {
  return url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
}
