/**
 * The one STS call this provider makes and checks, as the AWS STS API Reference "GetCallerIdentity"
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html) and the SDK's
 * awsQuery serializer send it.
 */

/** The whole form body: a verifier accepts this and nothing else (CVE-2020-16250: extra parameters). */
export const GET_CALLER_IDENTITY_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';

/**
 * Signed into the request so a proof made for one login API cannot be replayed to another
 * (Vault's `X-Vault-AWS-IAM-Server-ID`, under this toolkit's name).
 */
export const SERVER_ID_HEADER = 'X-Authctl-Server-ID';

/**
 * Signed in as well, so a proof made to log in as one machine identity cannot be replayed,
 * within STS's 15-minute window, to log in as another identity that allows the same principal.
 */
export const IDENTITY_ID_HEADER = 'X-Authctl-Identity-ID';

/** Region names as AWS spells them (`us-east-1`, `eu-central-2`, `us-gov-west-1`); Infisical's bound too. */
export const REGION_PATTERN = /^[a-z0-9-]{1,20}$/;

/** AWS's recommended regional endpoint (IAM User Guide, "Managing AWS STS in an AWS Region"). */
export function regionalStsUrl(region: string): string {
  return `https://sts.${region}.amazonaws.com/`;
}
