import { join } from 'node:path';
import { AuthError, conflictError, discoverProviders, importProviderPackage, installCommand, type Provider } from '@auth/core';
import type { Logger } from 'pino';

/**
 * The server names no provider: it loads every provider package it can find
 * (the same discovery as authctl: `@auth/provider-<id>`, `authctl-provider-<id>`
 * and `@<scope>/authctl-provider-<id>` in AUTHCTL_PLUGIN_PATH, the current
 * folder's node_modules chain, its own install, npm's and pnpm's global
 * folders, and the config's `plugins = [...]`), and each role keeps those with
 * its capability (`verify` for the machine login API, `gateway` for the
 * gateway's routes).
 */
export interface InstalledProvidersOptions {
  /** `plugins = [...]` of the server config: package names, or paths relative to `configFile`'s folder (else to the current folder). */
  plugins?: readonly string[];
  configFile?: string;
  env?: Readonly<Record<string, string | undefined>>;
  logger?: Pick<Logger, 'warn'>;
}

/**
 * The installed providers that have `capability`. A package the config names
 * that cannot be used, or two packages claiming one id, stop the start; a
 * broken package found by searching is logged and left out.
 */
export async function loadInstalledProviders(capability: 'verify' | 'gateway', options: InstalledProvidersOptions = {}): Promise<Provider<any>[]> {
  const env = options.env ?? process.env;
  // A relative `plugins` path is relative to the config file's folder; a config built in code has none, so to the current folder.
  const configFile = options.configFile ?? join(process.cwd(), 'auth-server.toml');
  const { packages, conflicts, unresolved } = discoverProviders({
    cwd: process.cwd(),
    env,
    self: import.meta.url,
    plugins: { entries: options.plugins ?? [], file: configFile },
  });
  if (conflicts.length > 0) throw conflictError(conflicts[0]!, options.configFile);
  if (unresolved.length > 0) {
    const [{ entry, reason }] = unresolved as [(typeof unresolved)[number]];
    throw new AuthError('PROVIDER_NOT_FOUND', `plugins = [...] names ${JSON.stringify(entry)}, which cannot be used: ${reason}`, {
      key: 'plugins',
      ...(options.configFile ? { file: options.configFile } : {}),
      hint: `install it (${installCommand(import.meta.url, entry, env)}) or remove it from plugins`,
    });
  }
  const providers: Provider<any>[] = [];
  for (const found of packages) {
    try {
      providers.push(await importProviderPackage(found, { installHint: (name) => installCommand(import.meta.url, name, env) }));
    } catch (error) {
      if (found.source === 'config' || !AuthError.is(error)) throw error;
      options.logger?.warn({ event: 'provider.refused', package: found.name, path: found.dir, code: error.code }, error.message);
    }
  }
  return providers.filter((provider) => provider[capability] !== undefined);
}
