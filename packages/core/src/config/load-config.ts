import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkConfigShape } from './config-shape.js';
import { parseToml } from './parse-toml.js';
import { authctlHome } from './paths.js';
import { checkFolder, repairFolder } from './permissions.js';
import { readConfigText } from './read-config-text.js';
import type { AuthctlConfig } from './types.js';

/**
 * Reads and structurally checks config.toml, after making sure no other user
 * could have written it or its home (see permissions.ts). Profiles stay raw
 * until `resolveProfile` validates one. No zod here: `print-token` loads this.
 */
export async function loadConfig(
  opts: {
    file?: string;
    env?: NodeJS.ProcessEnv;
    /** Says what was repaired (default: stderr); see `checkHome`. */
    warn?: (line: string) => void;
  } = {},
): Promise<AuthctlConfig> {
  const env = opts.env ?? process.env;
  const home = authctlHome(env);
  const file = resolve(opts.file ?? join(home, 'config.toml'));

  const text = await readConfigText(file);
  checkHome(home, env, opts.warn ?? ((line) => process.stderr.write(`${line}\n`)));
  const shape = text === undefined ? undefined : checkConfigShape(parseToml(text, file), file);

  return {
    home,
    file,
    exists: text !== undefined,
    ...(shape?.default_profile === undefined ? {} : { default_profile: shape.default_profile }),
    ...(shape?.plugins === undefined ? {} : { plugins: shape.plugins }),
    store: {
      backend: shape?.store.backend ?? 'auto',
      path: resolveStorePath(home, shape?.store.path ?? 'state'),
    },
    profiles: shape?.profiles ?? {},
    ...(shape?.agent === undefined ? {} : { agent: shape.agent }),
  };
}

/** Relative to the home; a leading `~/` is the user's home directory, as in kxi's `auth.cache_file`. */
function resolveStorePath(home: string, path: string): string {
  if (path === '~' || path.startsWith('~/')) return join(homedir(), path.slice(1));
  return resolve(home, path);
}

/**
 * The home holds config.toml and, by default, the credentials: nobody else
 * may write it. The default one is authctl's own (it creates it 0700), so a
 * wider mode is repaired; a folder named by AUTHCTL_HOME is the user's, and
 * is only checked.
 */
function checkHome(home: string, env: NodeJS.ProcessEnv, warn: (line: string) => void): void {
  if (env.AUTHCTL_HOME) checkFolder({ path: home, what: 'AUTHCTL_HOME', code: 'CONFIG_INVALID' });
  else repairFolder({ path: home, code: 'CONFIG_INVALID' }, warn);
}
