import type { Account } from 'oidc-provider';

/** The IdP's view of a user from its users table: the username is the `sub`. */
export function findAccount(users: ReadonlyMap<string, string>, sub: string): Account | undefined {
  if (!users.has(sub)) return undefined;
  return {
    accountId: sub,
    claims: () => ({ sub, name: sub, preferred_username: sub, email: `${sub}@example.test`, email_verified: true }),
  };
}
