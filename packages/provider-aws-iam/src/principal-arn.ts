/**
 * IAM principal ARNs (IAM User Guide, "IAM identifiers": `arn:<partition>:iam::<account>:user/<path>/<name>`,
 * and an assumed role's `arn:<partition>:sts::<account>:assumed-role/<role>/<session>`).
 */

export interface CanonicalPrincipal {
  /** `arn:<partition>:iam::<account>:user/<name>` or `…:role/<name>`: paths dropped, an assumed role named by its role, as Vault and Infisical do. */
  arn: string;
  account: string;
}

const PARTITION = /^aws(-[a-z]+)*$/;
const ACCOUNT = /^\d{12}$/;

/** The canonical form of what GetCallerIdentity answered, or undefined for a principal this method does not log in (root, federated users, …). */
export function canonicalPrincipal(arn: string): CanonicalPrincipal | undefined {
  const parts = arn.split(':');
  if (parts.length !== 6) return undefined;
  const [prefix, partition = '', service, region, account = '', resource = ''] = parts;
  if (prefix !== 'arn' || !PARTITION.test(partition) || region !== '' || !ACCOUNT.test(account)) return undefined;
  const segments = resource.split('/');
  if (segments.some((segment) => segment === '')) return undefined;
  const [type] = segments;
  let kind: 'user' | 'role';
  let name: string;
  if (service === 'iam' && (type === 'user' || type === 'role') && segments.length >= 2) {
    kind = type;
    name = segments.at(-1)!;
  } else if (service === 'sts' && type === 'assumed-role' && segments.length === 3) {
    kind = 'role';
    name = segments[1]!;
  } else {
    return undefined;
  }
  return { arn: `arn:${partition}:iam::${account}:${kind}/${name}`, account };
}

/**
 * An allowlist entry: a canonical ARN whose name may hold `*` wildcards. The account is always
 * literal, so no entry admits callers from every AWS account.
 */
export const PRINCIPAL_PATTERN = /^arn:aws(-[a-z]+)*:iam::\d{12}:(user|role)\/[^/:\s]+$/;

export function principalMatches(pattern: string, arn: string): boolean {
  const source = pattern
    .split('*')
    .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(arn);
}
