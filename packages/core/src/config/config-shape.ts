import type { StoreBackend } from './types.js';
import { configError, describeValue, isTable } from './config-error.js';
import { isProfileName, PROFILE_NAME_RULE } from './profile-name.js';

/** The top level of config.toml, checked by hand: zod is too slow to import on the hot path. */
export interface ConfigShape {
  default_profile?: string;
  /** Provider packages to load besides those discovered: package names, or paths relative to the config file. */
  plugins?: string[];
  store: { backend?: StoreBackend; path?: string };
  profiles: Record<string, Record<string, unknown>>;
  /** `[agent] profiles = [...]`: what `authctl agent` keeps fresh when no `--profile` is given. */
  agent?: { profiles: string[] };
}

const TOP_LEVEL_KEYS = ['default_profile', 'plugins', 'store', 'profiles', 'agent'];
const AGENT_KEYS = ['profiles'];
const STORE_KEYS = ['backend', 'path'];
const STORE_BACKENDS: readonly StoreBackend[] = ['auto', 'keyring', 'file'];

export function checkConfigShape(doc: Record<string, unknown>, file: string): ConfigShape {
  rejectUnknownKeys(doc, TOP_LEVEL_KEYS, undefined, file);
  const shape: ConfigShape = { store: {}, profiles: {} };

  const defaultProfile = doc.default_profile;
  if (defaultProfile !== undefined) {
    if (typeof defaultProfile !== 'string' || !isProfileName(defaultProfile)) {
      throw configError(file, 'default_profile', `must be a profile name (got ${describeValue(defaultProfile)})`, {
        hint: `fix default_profile in ${file}; a profile name has ${PROFILE_NAME_RULE}`,
      });
    }
    shape.default_profile = defaultProfile;
  }

  const plugins = doc.plugins;
  if (plugins !== undefined) {
    if (!Array.isArray(plugins) || !plugins.every((entry) => typeof entry === 'string' && entry !== '')) {
      throw configError(file, 'plugins', `must be a list of package names or paths (got ${describeValue(plugins)})`, {
        hint: `e.g. plugins = ["authctl-provider-example", "./plugins/authctl-provider-mine"] in ${file}`,
      });
    }
    shape.plugins = plugins as string[];
  }

  const store = doc.store;
  if (store !== undefined) {
    if (!isTable(store)) throw configError(file, 'store', `must be a table ([store]) (got ${describeValue(store)})`);
    rejectUnknownKeys(store, STORE_KEYS, 'store', file);
    if (store.backend !== undefined) {
      if (!STORE_BACKENDS.includes(store.backend as StoreBackend)) {
        throw configError(
          file,
          'store.backend',
          `must be one of ${STORE_BACKENDS.map((b) => `"${b}"`).join(', ')} (got ${describeValue(store.backend)})`,
        );
      }
      shape.store.backend = store.backend as StoreBackend;
    }
    if (store.path !== undefined) {
      if (typeof store.path !== 'string' || store.path === '') {
        throw configError(file, 'store.path', `must be a directory path (got ${describeValue(store.path)})`);
      }
      shape.store.path = store.path;
    }
  }

  const agent = doc.agent;
  if (agent !== undefined) {
    if (!isTable(agent)) throw configError(file, 'agent', `must be a table ([agent]) (got ${describeValue(agent)})`);
    rejectUnknownKeys(agent, AGENT_KEYS, 'agent', file);
    const names = agent.profiles ?? [];
    if (!Array.isArray(names) || !names.every((name) => typeof name === 'string' && isProfileName(name))) {
      throw configError(file, 'agent.profiles', `must be a list of profile names (got ${describeValue(names)})`, {
        hint: `e.g. profiles = ["dev", "prod"] under [agent] in ${file}`,
      });
    }
    shape.agent = { profiles: names as string[] };
  }

  const profiles = doc.profiles;
  if (profiles !== undefined) {
    if (!isTable(profiles)) {
      throw configError(file, 'profiles', `must be a table of profiles ([profiles.NAME]) (got ${describeValue(profiles)})`);
    }
    for (const [name, profile] of Object.entries(profiles)) {
      if (!isProfileName(name)) {
        const key = `profiles.${JSON.stringify(name)}`;
        throw configError(file, key, `is not a valid profile name: ${PROFILE_NAME_RULE}`, {
          profile: name,
          hint: `rename [${key}] in ${file}`,
        });
      }
      if (!isTable(profile)) {
        throw configError(file, `profiles.${name}`, `must be a table ([profiles.${name}]) (got ${describeValue(profile)})`, {
          profile: name,
        });
      }
      shape.profiles[name] = profile;
    }
  }
  return shape;
}

function rejectUnknownKeys(table: Record<string, unknown>, known: string[], prefix: string | undefined, file: string): void {
  for (const key of Object.keys(table)) {
    if (known.includes(key)) continue;
    const where = prefix === undefined ? 'the top level' : `[${prefix}]`;
    throw configError(file, prefix === undefined ? key : `${prefix}.${key}`, `is not a known key at ${where}`, {
      hint: `remove it from ${file}; known keys at ${where}: ${known.join(', ')}`,
    });
  }
}
