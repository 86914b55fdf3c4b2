import type { Account, FindAccount } from 'oidc-provider';
import type { UserConfig } from '../config/schema.js';
import { hashSecret, verifySecret } from '../secrets/scrypt-hash.js';

/** The users of the config file: password check and the claims oidc-provider asks for. */
export interface Accounts {
  /** The account id (the username) when the password matches, else undefined. */
  authenticate(username: string, password: string): Promise<string | undefined>;
  findAccount: FindAccount;
}

export function createAccounts(users: readonly UserConfig[]): Accounts {
  const byName = new Map(users.map((user) => [user.username, user]));
  // An unknown username costs one scrypt as well, so timing does not reveal which usernames exist.
  let decoy: Promise<string> | undefined;

  return {
    async authenticate(username, password) {
      const user = byName.get(username);
      if (!user) {
        await verifySecret(password, await (decoy ??= hashSecret('decoy password')));
        return undefined;
      }
      return (await verifySecret(password, user.password_hash)) ? user.username : undefined;
    },

    async findAccount(_ctx, sub): Promise<Account | undefined> {
      const user = byName.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { preferred_username: sub, ...user.claims, sub };
        },
      };
    },
  };
}
