import { randomBytes } from 'node:crypto';
import { isIPv4, type BlockList } from 'node:net';
import { scryptHasher, type SecretHasher } from '../issuer/hashed-client-secrets.js';
import type { ClientSecretRecord, ClientSecretStore } from './client-secrets.js';
import { clientIdOf, normaliseIdentityId, trustedAddresses, UNIVERSAL_AUTH, type IdentityConfig, type UniversalAuthBinding } from './identity-config.js';
import { invalidCredentials } from './login-api-error.js';

/**
 * Infisical's universal auth (`identity-ua-service.ts` login): a client id
 * and a client secret. Unlike Infisical, every refusal before the hash
 * check still costs one scrypt, so the answer time does not tell whether
 * the client id exists or a secret with that prefix does; and the use limit
 * is taken atomically after the check, so concurrent logins never exceed it.
 */
export class UniversalAuth {
  readonly #byClientId = new Map<string, IdentityConfig>();
  readonly #trusted = new Map<string, BlockList>();
  readonly #burnSalt = randomBytes(16);

  constructor(
    identities: readonly IdentityConfig[],
    private readonly secrets: ClientSecretStore,
    private readonly verifySecret: (candidate: string, phc: string) => Promise<boolean>,
    /** Epoch seconds. */
    private readonly now: () => number,
    private readonly hasher: SecretHasher = scryptHasher,
  ) {
    for (const identity of identities) {
      const clientId = clientIdOf(identity);
      if (clientId === undefined) continue;
      this.#byClientId.set(normaliseIdentityId(clientId), identity);
      const trusted = trustedAddresses((identity.methods[UNIVERSAL_AUTH] as UniversalAuthBinding).trusted_ips);
      if (trusted) this.#trusted.set(identity.id, trusted);
    }
  }

  /** The identity whose secret `clientSecret` is, or the uniform 401 (with the reason for the log). */
  async authenticate(normalisedClientId: string, clientSecret: string, address: string): Promise<{ identity: IdentityConfig; secret: ClientSecretRecord }> {
    const identity = this.#byClientId.get(normalisedClientId);
    if (!identity) return this.#refuse(clientSecret, 'unknown client id');
    const trusted = this.#trusted.get(identity.id);
    if (trusted && !allows(trusted, address)) return this.#refuse(clientSecret, `address ${address} is outside trusted_ips`);
    const candidates = await this.secrets.candidates(identity.id, clientSecret);
    if (candidates.length === 0) return this.#refuse(clientSecret, 'wrong client secret');
    for (const candidate of candidates) {
      if (await this.verifySecret(clientSecret, candidate.hash)) return { identity, secret: candidate };
    }
    throw invalidCredentials('wrong client secret');
  }

  /** After the secret proved right: its TTL, then one use of its limit (Infisical's order). */
  async admit(secret: ClientSecretRecord): Promise<void> {
    if (secret.ttl !== undefined && this.now() >= secret.created_at + secret.ttl) throw invalidCredentials(`client secret ${secret.id} expired`);
    if (!(await this.secrets.consumeUse(secret))) throw invalidCredentials(`client secret ${secret.id} reached its use limit`);
  }

  async #refuse(clientSecret: string, reason: string): Promise<never> {
    await this.hasher.derive(clientSecret, this.#burnSalt);
    throw invalidCredentials(reason);
  }
}

function allows(list: BlockList, address: string): boolean {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)?.[1];
  const ip = mapped ?? address;
  return list.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6');
}
