import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * `$AUTHCTL_HOME`, else `$XDG_CONFIG_HOME/authctl`, else `~/.config/authctl`.
 * A relative `XDG_CONFIG_HOME` is ignored, as the XDG Base Directory spec requires.
 */
export function authctlHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AUTHCTL_HOME) return resolve(env.AUTHCTL_HOME);
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.config'), 'authctl');
}

/** `<home>/config.toml`. */
export function defaultConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(authctlHome(env), 'config.toml');
}

/** Where the `file` store keeps credentials: `<store.path>/credentials`. */
export function credentialsDir(storePath: string): string {
  return join(storePath, 'credentials');
}
