import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, parse, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where a provider package was found, in the order locations are searched. */
export type PluginSource = 'config' | 'AUTHCTL_PLUGIN_PATH' | 'project' | 'authctl' | 'npm-global' | 'pnpm-global';

/** A folder that holds packages (`node_modules`, or one named in AUTHCTL_PLUGIN_PATH). */
export interface PluginLocation {
  source: PluginSource;
  dir: string;
}

export interface PluginSearch {
  /** The project: this folder's `node_modules`, then each parent's. */
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** A file of the program doing the search (`import.meta.url` or a path): its own install, where its bundled providers are. */
  self?: string;
  /** `plugins = [...]` of the config file (package names or paths; a relative path is relative to `file`'s folder). */
  plugins?: { entries: readonly string[]; file: string };
}

/**
 * The folders searched for provider packages, first wins for a package
 * name: AUTHCTL_PLUGIN_PATH, the project, the program's own install, npm's
 * global root, pnpm's global roots. Nothing is spawned: the global roots are
 * computed the way npm and pnpm compute them, so a search costs a few stats.
 */
export function pluginLocations(search: PluginSearch): PluginLocation[] {
  const locations: PluginLocation[] = [];
  for (const dir of (search.env.AUTHCTL_PLUGIN_PATH ?? '').split(delimiter)) {
    if (dir !== '') locations.push({ source: 'AUTHCTL_PLUGIN_PATH', dir: resolve(search.cwd, dir) });
  }
  for (const dir of nodeModulesChain(search.cwd)) locations.push({ source: 'project', dir });
  if (search.self !== undefined) for (const dir of nodeModulesChain(dirname(filePath(search.self)))) locations.push({ source: 'authctl', dir });
  locations.push({ source: 'npm-global', dir: npmGlobalRoot(search.env) });
  for (const dir of pnpmGlobalRoots(search.env)) locations.push({ source: 'pnpm-global', dir });
  return locations.filter((location) => existsSync(location.dir));
}

/** `<dir>/node_modules` for `dir` and each of its parents, as Node resolves a bare specifier. */
export function nodeModulesChain(start: string): string[] {
  const dirs: string[] = [];
  let dir = resolve(start);
  for (;;) {
    if (parse(dir).base !== 'node_modules') dirs.push(join(dir, 'node_modules'));
    const parent = dirname(dir);
    if (parent === dir) return dirs;
    dir = parent;
  }
}

/**
 * npm's global `node_modules`: `<prefix>/lib/node_modules` (`<prefix>/node_modules`
 * on Windows), the prefix from `npm_config_prefix`, else `prefix` in the user's
 * or the global npmrc, else the folder Node is installed in (npm's own default;
 * see https://docs.npmjs.com/cli/configuring-npm/folders#prefix-configuration).
 */
export function npmGlobalRoot(env: Readonly<Record<string, string | undefined>>): string {
  const nodePrefix = process.platform === 'win32' ? dirname(process.execPath) : dirname(dirname(process.execPath));
  const prefix =
    envValue(env, 'npm_config_prefix') ??
    npmrcPrefix(envValue(env, 'npm_config_userconfig') ?? join(env.HOME ?? homedir(), '.npmrc')) ??
    npmrcPrefix(envValue(env, 'npm_config_globalconfig') ?? join(nodePrefix, 'etc', 'npmrc')) ??
    nodePrefix;
  return process.platform === 'win32' ? join(prefix, 'node_modules') : join(prefix, 'lib', 'node_modules');
}

/**
 * pnpm's global `node_modules` folders under PNPM_HOME (default
 * `$XDG_DATA_HOME/pnpm`, `~/Library/pnpm`, `%LOCALAPPDATA%\pnpm`): pnpm 10
 * keeps one at `global/5/node_modules`, pnpm 11 and later one per
 * `pnpm add -g` at `global/v11/<install>/node_modules`.
 */
export function pnpmGlobalRoots(env: Readonly<Record<string, string | undefined>>): string[] {
  const global = join(pnpmHome(env), 'global');
  const roots: string[] = [];
  for (const layout of subfolders(global)) {
    const dir = join(global, layout);
    if (existsSync(join(dir, 'node_modules'))) roots.push(join(dir, 'node_modules'));
    for (const install of subfolders(dir)) {
      if (install !== 'node_modules' && existsSync(join(dir, install, 'node_modules'))) roots.push(join(dir, install, 'node_modules'));
    }
  }
  return roots;
}

export function pnpmHome(env: Readonly<Record<string, string | undefined>>): string {
  if (env.PNPM_HOME) return env.PNPM_HOME;
  const home = env.HOME ?? homedir();
  if (process.platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'pnpm');
  if (process.platform === 'darwin') return join(home, 'Library', 'pnpm');
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'pnpm');
}

/** npm reads its `npm_config_*` variables case-insensitively. */
function envValue(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const key = Object.keys(env).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : env[key];
  return value ? value : undefined;
}

/** The `prefix` an npmrc sets: npmrc is ini, and `prefix` a plain `key = value` line in its top section. */
function npmrcPrefix(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*\[/.test(line)) return undefined;
    const found = /^\s*prefix\s*=\s*(.*?)\s*$/.exec(line);
    if (found) return found[1]!.replace(/^(["'])(.*)\1$/, '$2').replace(/^~(?=$|\/)/, homedir());
  }
  return undefined;
}

function subfolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() || entry.isSymbolicLink())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

function filePath(fileOrUrl: string): string {
  return fileOrUrl.startsWith('file:') ? fileURLToPath(fileOrUrl) : fileOrUrl;
}

/** The real path, so a folder reached through symlinks (pnpm) is searched once. */
export function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
