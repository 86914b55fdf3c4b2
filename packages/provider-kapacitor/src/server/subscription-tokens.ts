import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AuthError } from '@auth/core/provider';
import { SUBSCRIBER } from './credentials.js';
import { goQuote } from './go-text.js';
import { databaseResource, Privilege, type KapacitorUser } from './privileges.js';

/** Kapacitor's `validUsername` (`services/auth/service.go`), which a subscription token must match. */
const VALID_TOKEN = /^[-._\p{L}0-9@]+$/u;

export type SubscriptionOutcome = { readonly user: KapacitorUser } | { readonly error: string };

/**
 * Subscription tokens: InfluxDB writes a subscription's points as
 * `~subscriber:<token>`. Kapacitor mints the tokens itself and keeps them in
 * its local store, which the gateway cannot see, so the gateway knows the
 * tokens listed in a file, one `<token> <database>` per line (`#` comments).
 * Each grants what Kapacitor's `GrantSubscriptionAccess` grants: writes to
 * its database and ping.
 */
export class SubscriptionTokens {
  /** sha256(token) → database: lookups by digest, so the time taken says nothing about the tokens. */
  readonly #databases: ReadonlyMap<string, string>;

  private constructor(databases: ReadonlyMap<string, string>) {
    this.#databases = databases;
  }

  static readonly none = new SubscriptionTokens(new Map());

  static async load(file: string, where: string): Promise<SubscriptionTokens> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      throw new AuthError('CONFIG_INVALID', `${where}.subscription-tokens-file: cannot read ${file}`, {
        file,
        key: `${where}.subscription-tokens-file`,
        hint: 'check the path and that auth-server may read it',
        cause,
      });
    }
    const databases = new Map<string, string>();
    for (const [index, raw] of text.split('\n').entries()) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const [token = '', database, extra] = line.split(/\s+/);
      if (!VALID_TOKEN.test(token) || database === undefined || extra !== undefined) {
        throw new AuthError('CONFIG_INVALID', `${file}:${index + 1}: expected "<token> <database>" with a token of letters, digits, -, ., _ or @`, {
          file,
          key: `${where}.subscription-tokens-file`,
          hint: 'fix that line',
        });
      }
      databases.set(digest(token), database);
    }
    return new SubscriptionTokens(databases);
  }

  /** Kapacitor's `SubscriptionUser`: the token's shape first, then whether it is known. */
  user(token: string): SubscriptionOutcome {
    if (!VALID_TOKEN.test(token)) return { error: `token must be a valid username: ${goQuote(token)}` };
    const database = this.#databases.get(digest(token));
    if (database === undefined) return { error: 'invalid subscription token' };
    return {
      user: {
        name: SUBSCRIBER,
        admin: false,
        privileges: new Map([
          ['/api/write', Privilege.write],
          ['/api/ping', Privilege.all],
          [databaseResource(database), Privilege.write],
        ]),
      },
    };
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
