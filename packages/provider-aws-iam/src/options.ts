import { z } from 'zod';
import { REGION_PATTERN } from './sts.js';

/** Profile keys of an `aws-iam` profile: where the proof is signed for, and what it is bound to. */
export const awsIamOptions = z.object({
  /** The STS region to sign for (default: AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1). */
  region: z.string().regex(REGION_PATTERN, { error: 'must be an AWS region name like "eu-west-1"' }).optional(),
  /** The value of the signed server-id header; must equal the login API's `server_id` (default: the login API's host). */
  server_id: z.string().min(1).optional(),
  /** Another STS endpoint (default `https://sts.<region>.amazonaws.com/`), e.g. a test double or a VPC endpoint. */
  sts_endpoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
});

export type AwsIamSettings = z.infer<typeof awsIamOptions>;
