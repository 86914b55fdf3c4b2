import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { AuthError } from '../errors.js';
import { pluginLocations, realpathOrSelf, type PluginSearch, type PluginSource } from './plugin-locations.js';
import { providerIdOfPackage } from './provider-package-name.js';

/** An installed package that claims a provider id by its name. */
export interface ProviderPackage {
  /** The provider id its name claims (`authctl-provider-<id>`). */
  id: string;
  name: string;
  version?: string;
  /** The package's folder. */
  dir: string;
  source: PluginSource;
}

/** Two or more packages claiming one id: none of them is loaded. */
export interface ProviderConflict {
  id: string;
  packages: ProviderPackage[];
}

/** A `plugins = [...]` entry that names nothing usable. */
export interface UnresolvedPlugin {
  entry: string;
  reason: string;
}

export interface ProviderDiscovery {
  /** One package per id, by id. */
  packages: ProviderPackage[];
  conflicts: ProviderConflict[];
  unresolved: UnresolvedPlugin[];
}

/**
 * Every provider package the search can see. A package name found in
 * several locations is taken from the first (see `pluginLocations`); two
 * different packages claiming one id are a conflict, unless `plugins = [...]`
 * names one of them, which then wins.
 */
export function discoverProviders(search: PluginSearch): ProviderDiscovery {
  const byName = new Map<string, ProviderPackage>();
  const seen = new Set<string>();
  for (const { source, dir } of pluginLocations(search)) {
    const real = realpathOrSelf(dir);
    if (seen.has(real)) continue;
    seen.add(real);
    for (const found of packagesIn(dir, source)) if (!byName.has(found.name)) byName.set(found.name, found);
  }

  const chosen = new Map<string, ProviderPackage>();
  const unresolved: UnresolvedPlugin[] = [];
  for (const entry of search.plugins?.entries ?? []) {
    const found = isPathEntry(entry) ? packageAt(pathOf(entry, search.plugins!.file), 'config') : byName.get(entry);
    if (typeof found === 'string' || found === undefined) {
      unresolved.push({ entry, reason: found ?? `no package ${entry} is installed in the project, AUTHCTL_PLUGIN_PATH, authctl's own folder or the global npm or pnpm folder` });
      continue;
    }
    byName.set(found.name, { ...found, source: 'config' });
    chosen.set(found.name, { ...found, source: 'config' });
  }

  const byId = new Map<string, ProviderPackage[]>();
  for (const found of byName.values()) byId.set(found.id, [...(byId.get(found.id) ?? []), found]);
  const packages: ProviderPackage[] = [];
  const conflicts: ProviderConflict[] = [];
  for (const [id, claimants] of [...byId].sort(([a], [b]) => a.localeCompare(b))) {
    const named = claimants.filter((claimant) => chosen.has(claimant.name));
    const candidates = named.length > 0 ? named : claimants;
    if (candidates.length === 1) packages.push(candidates[0]!);
    else conflicts.push({ id, packages: candidates });
  }
  return { packages, conflicts, unresolved };
}

/** The error for a conflict: both packages, where each is, and how to settle it. */
export function conflictError(conflict: ProviderConflict, configFile?: string): AuthError {
  const listed = conflict.packages.map((found) => `${found.name} (${found.source}: ${found.dir})`).join(' and ');
  return new AuthError('PROVIDER_CONFLICT', `provider "${conflict.id}" is claimed by ${conflict.packages.length} packages: ${listed}`, {
    hint: `uninstall all but one, or name the one to use in plugins = [...]${configFile === undefined ? '' : ` in ${configFile}`}, e.g. plugins = ["${conflict.packages[0]!.name}"]`,
  });
}

/** Provider packages directly in a folder of packages, or the folder itself when it is one. */
function packagesIn(dir: string, source: PluginSource): ProviderPackage[] {
  const itself = packageAt(dir, source);
  if (typeof itself !== 'string') return [itself];
  const found: ProviderPackage[] = [];
  for (const entry of entries(dir)) {
    const names = entry.startsWith('@') ? entries(join(dir, entry)).map((name) => `${entry}/${name}`) : [entry];
    for (const name of names) {
      if (providerIdOfPackage(name) === undefined) continue;
      const at = packageAt(join(dir, name), source);
      if (typeof at !== 'string' && at.name === name) found.push(at);
    }
  }
  return found;
}

/** The provider package in `dir`, or why there is none. */
function packageAt(dir: string, source: PluginSource): ProviderPackage | string {
  let manifest: { name?: unknown; version?: unknown };
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as typeof manifest;
  } catch (error) {
    return existsSync(dir) ? `${join(dir, 'package.json')} is missing or not JSON (${(error as Error).message})` : `${dir} does not exist`;
  }
  const name = typeof manifest.name === 'string' ? manifest.name : '';
  const id = providerIdOfPackage(name);
  if (id === undefined) {
    return `${dir} holds package ${JSON.stringify(name)}, not a provider (names: @auth/provider-<id>, authctl-provider-<id>, @<scope>/authctl-provider-<id>)`;
  }
  return { id, name, ...(typeof manifest.version === 'string' ? { version: manifest.version } : {}), dir, source };
}

function isPathEntry(entry: string): boolean {
  return entry.startsWith('.') || entry.startsWith('~') || isAbsolute(entry);
}

function pathOf(entry: string, configFile: string): string {
  if (entry === '~' || entry.startsWith('~/')) return join(homedir(), entry.slice(1));
  return resolve(dirname(configFile), entry);
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => !name.startsWith('.'));
  } catch {
    return [];
  }
}
