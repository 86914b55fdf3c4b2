import { boundedFetch, type Provider } from '@auth/core';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { IssuerConfig } from '../config/schema.js';
import type { Lockout } from '../guard/lockout.js';
import { createClientSecretVerifier } from '../issuer/hashed-client-secrets.js';
import type { KeySet } from '../keys/key-store.js';
import { loadInstalledProviders, type InstalledProvidersOptions } from '../server/installed-providers.js';
import { MachineAccessTokens } from './access-tokens.js';
import { FileClientSecretStore, type ClientSecretStore } from './client-secrets.js';
import { createLoginApi } from './login-routes.js';
import { FileTokenRevocationStore, type TokenRevocationStore } from './token-revocations.js';
import { UniversalAuth } from './universal-auth.js';
import { parseBindings, verifiersByMethod } from './verifiers.js';

/** Outbound calls of a verifier (STS, JWKS, TokenReview): Infisical's Kubernetes call allows 10 s and 64 KiB; JWKS sets run larger. */
const VERIFIER_TIMEOUT_MS = 10_000;
const VERIFIER_MAX_BYTES = 512 * 1024;

export interface MachineRoleOptions {
  config: IssuerConfig;
  issuer: string;
  keys: KeySet;
  lockout: Lockout;
  logger: Logger;
  /** Epoch milliseconds. */
  now: () => number;
  /** The providers whose `verify` serves login methods (default: the installed ones; see installed-providers.ts). */
  providers?: readonly Provider<any>[];
  /** Where the installed providers are looked for (the config's `plugins`). */
  plugins?: InstalledProvidersOptions;
  fetch?: typeof fetch;
  /** Use counts and revocations shared by several instances; absent: the data dir's. */
  shared?: SharedMachineStores;
}

export interface SharedMachineStores {
  /** The data dir's secrets with shared use counts. */
  secrets(local: ClientSecretStore): ClientSecretStore;
  revocations: TokenRevocationStore;
}

export interface MachineRole {
  /** The login API, mounted ahead of the issuer's routes. */
  middleware: Middleware;
  tokens: MachineAccessTokens;
  close(): Promise<void>;
}

/** The machine-identity login API: identities from the config, secrets and revocations in the data dir. */
export async function startMachineRole(options: MachineRoleOptions): Promise<MachineRole> {
  const { config, logger } = options;
  const seconds = () => Math.floor(options.now() / 1000);
  const verifiers = verifiersByMethod(options.providers ?? (await loadInstalledProviders('verify', options.plugins ?? { plugins: config.plugins, logger })));
  const bindings = parseBindings(config.identities, verifiers);
  const secrets = await FileClientSecretStore.open(config.data_dir, logger);
  const fileRevocations = options.shared ? undefined : await FileTokenRevocationStore.open(config.data_dir, seconds, logger);
  const revocations = options.shared?.revocations ?? fileRevocations!;
  const tokens = new MachineAccessTokens(options.issuer, options.keys, revocations, seconds);
  const universalAuth = new UniversalAuth(config.identities, options.shared?.secrets(secrets) ?? secrets, createClientSecretVerifier(), seconds);
  const middleware = createLoginApi({
    identities: config.identities,
    bindings,
    verifiers,
    universalAuth,
    tokens,
    lockout: options.lockout,
    logger,
    io: { fetch: boundedFetch(options.fetch ?? globalThis.fetch, { timeoutMs: VERIFIER_TIMEOUT_MS, maxBytes: VERIFIER_MAX_BYTES }), timeoutMs: VERIFIER_TIMEOUT_MS },
    now: options.now,
  });
  return {
    middleware,
    tokens,
    close: async () => {
      await secrets.close();
      await fileRevocations?.close();
    },
  };
}
