import { isDeepStrictEqual } from 'node:util';
import { credentialsDir } from '../config/paths.js';
import type { AuthctlConfig, StoreBackend } from '../config/types.js';
import { updateConfig } from '../config/write-config.js';
import type { CredentialStore } from '../contracts/v1/credential-store.js';
import { AuthError } from '../errors.js';
import { createFileStore } from './file-store.js';
import { keyringName, probeKeyring } from './keyring-agent.js';
import { createKeyringStore } from './keyring-store.js';

type Place = 'file' | 'keyring';

export interface SwitchStoreResult {
  from: StoreBackend;
  to: StoreBackend;
  /** Where credentials are written from now on (`auto` resolved). */
  effective: Place;
  /** Keys copied into `effective`. */
  moved: string[];
  /** Keys whose old copy could not be deleted after the switch; the new copy is in use. */
  leftovers: string[];
  /** Why the OS keyring could not be searched: credentials kept in it, if any, were not moved. */
  keyringUnreachable?: string;
}

/**
 * `authctl store use <backend>`: moves every credential (tokens of every
 * identity, client secrets, any key) to the backend `target` resolves to,
 * then sets `[store] backend`. Both places are searched, whatever the
 * current setting, so nothing a fallback or an earlier setting left behind
 * is forgotten; where both hold a key, the copy in use now wins.
 *
 * All keys are copied and read back before config.toml changes, and deleted
 * from the old place only after: a failure on the way leaves every
 * credential readable where it was, config.toml unchanged, and the copies
 * made so far removed. The keys' locks are held throughout, so a concurrent
 * refresh cannot write to the old place unseen.
 *
 * An unusable keyring cannot be a target; as a source it is skipped (its
 * credentials stay in it, unreadable as before), so `store use file` is
 * always the way out of a broken keyring.
 */
export async function switchStoreBackend(config: AuthctlConfig, target: StoreBackend): Promise<SwitchStoreResult> {
  const keyring = createKeyringStore({ storePath: config.store.path });
  const stores: Record<Place, CredentialStore> = { file: createFileStore({ dir: credentialsDir(config.store.path), stateDir: config.store.path }), keyring };
  const status = await probeKeyring(keyring.place.service);
  if (!status.usable && target === 'keyring') {
    // A setting that cannot be used here, like a bad value: a usage/config error, not a failure to retry blindly.
    throw new AuthError('CONFIG_INVALID', `cannot move credentials to the OS keyring (${keyringName()}): ${status.reason}`, {
      file: config.file,
      key: 'store.backend',
      hint: 'nothing was changed; unlock or start the OS keyring and retry, or keep credentials in files (0600) with `authctl store use file`',
    });
  }
  const effective: Place = target === 'file' || !status.usable ? 'file' : 'keyring';
  // The first place holding a key has the copy in use: the keyring's when it is the setting, else the file's (as auto reads).
  const order: Place[] = config.store.backend === 'keyring' ? ['keyring', 'file'] : ['file', 'keyring'];
  const sources = order.filter((place) => place === 'file' || status.usable);
  const held = new Map<Place, string[]>();
  for (const place of sources) held.set(place, await stores[place].list());

  const keys = [...new Set(sources.filter((place) => place !== effective).flatMap((place) => held.get(place)!))].sort();
  const destination = stores[effective];
  const moved: string[] = [];

  return withLocks(stores.file, keys, async () => {
    const before = new Set(await destination.list());
    const created: string[] = [];
    try {
      for (const key of keys) {
        const from = sources.find((place) => held.get(place)!.includes(key))!;
        if (from === effective) continue;
        const value = await stores[from].get(key);
        if (value === undefined) continue;
        if (!before.has(key)) created.push(key);
        await destination.set(key, value);
        if (!isDeepStrictEqual(await destination.get(key), value)) {
          throw new AuthError('STORE_UNAVAILABLE', `the credential "${key}" did not read back the same from the ${effective} store`, {
            hint: 'nothing was changed; retry, or check the new backend',
          });
        }
        moved.push(key);
      }
      await updateConfig(config.file, (doc) => {
        doc.store = { ...(doc.store as Record<string, unknown> | undefined), backend: target };
      });
    } catch (error) {
      for (const key of created) await destination.delete(key).catch(() => {});
      throw error;
    }

    const leftovers: string[] = [];
    for (const place of sources) {
      if (place === effective) continue;
      for (const key of held.get(place)!) {
        await stores[place].delete(key).catch(() => leftovers.push(key));
      }
    }
    return {
      from: config.store.backend,
      to: target,
      effective,
      moved,
      leftovers,
      ...(status.usable ? {} : { keyringUnreachable: status.reason }),
    };
  });
}

/** Runs `fn` holding the lock of every key, taken in sorted order so two switches cannot deadlock. */
function withLocks<T>(store: CredentialStore, keys: string[], fn: () => Promise<T>): Promise<T> {
  return keys.reduceRight<() => Promise<T>>((inner, key) => () => store.withLock(key, inner), fn)();
}
