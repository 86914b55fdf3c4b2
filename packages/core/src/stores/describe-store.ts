import { credentialsDir } from '../config/paths.js';
import type { AuthctlConfig, StoreBackend } from '../config/types.js';
import { keyringName, probeKeyring } from './keyring-agent.js';
import { keyringPlace } from './keyring-items.js';
import { openStore } from './open-store.js';

export interface StoreDescription {
  /** `[store] backend` in config.toml (default `auto`). */
  configured: StoreBackend;
  /** Where credentials are written now; null when `keyring` is configured and not usable. */
  effective: 'file' | 'keyring' | null;
  /** The folder of credential files. */
  files: string;
  keyring: {
    /** `Secret Service`, `macOS Keychain` or `Windows Credential Manager`. */
    name: string;
    /** The service name its items are filed under. */
    service: string;
    usable: boolean;
    /** Why it is not usable. */
    reason?: string;
  };
  /** How many credentials the configured backend holds; null when it cannot be read. */
  credentials: number | null;
}

/** What `authctl store show` reports. Probes the keyring (bounded in time); prints nothing. */
export async function describeStore(config: AuthctlConfig): Promise<StoreDescription> {
  const { service } = keyringPlace(config.store.path);
  const status = await probeKeyring(service);
  const configured = config.store.backend;
  const effective = configured === 'file' ? 'file' : status.usable ? 'keyring' : configured === 'auto' ? 'file' : null;
  const credentials = effective === null ? null : (await openStore(config, { warn: () => {} }).list()).length;
  return {
    configured,
    effective,
    files: credentialsDir(config.store.path),
    keyring: { name: keyringName(), service, ...status },
    credentials,
  };
}
