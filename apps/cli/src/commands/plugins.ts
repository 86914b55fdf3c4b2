import type { Command } from 'commander';
import {
  AuthError,
  BUILT_IN_PROVIDERS,
  conflictError,
  importProviderPackage,
  loadConfig,
  type Provider,
  type ProviderPackage,
} from '@auth/core';
import type { StartCli } from '../context.js';
import { cliProviders } from '../plugins/cli-providers.js';

/** One line of `plugins list`: a provider authctl can use, or a package it refused and why. */
interface PluginEntry {
  id: string | null;
  package: string | null;
  version: string | null;
  /** built-in, config, AUTHCTL_PLUGIN_PATH, project, authctl, npm-global, pnpm-global. */
  source: string;
  path: string | null;
  status: 'ok' | 'refused';
  name?: string;
  capabilities?: string[];
  code?: string;
  reason?: string;
}

/** Every member of a provider besides these is a capability (oauth, admin, proof, verify, gateway, ...). */
const IDENTITY = ['specificationVersion', 'id', 'name', 'options'];

export function pluginsCommand(program: Command, start: StartCli): void {
  const plugins = program.command('plugins').description('the provider plugins authctl finds, and why a broken one is refused');
  plugins
    .command('list')
    .description('list every provider found: its package, version and where it was found')
    .action(async (_options: object, command: Command) => {
      const cli = start(command);
      const config = await loadConfig({ file: cli.globals.config, env: cli.env, warn: (line) => cli.out.info(line) });
      const catalog = cliProviders(config, cli.env);
      const { packages, conflicts, unresolved } = catalog.discovery();
      const entries: PluginEntry[] = BUILT_IN_PROVIDERS.map((provider) => loaded(provider, { package: null, version: null, source: 'built-in', path: null }));
      for (const found of packages) {
        try {
          entries.push(loaded(await importProviderPackage(found, catalog), where(found)));
        } catch (error) {
          entries.push(refused(found, error));
        }
      }
      for (const conflict of conflicts) for (const found of conflict.packages) entries.push(refused(found, conflictError(conflict, config.file)));
      for (const { entry, reason } of unresolved) {
        entries.push({ id: null, package: entry, version: null, source: 'config', path: null, status: 'refused', code: 'PROVIDER_NOT_FOUND', reason: `plugins = [...] in ${config.file}: ${reason}` });
      }

      if (cli.globals.json) {
        for (const entry of entries) cli.out.event(entry);
        return;
      }
      for (const entry of entries) {
        const what = `${entry.id ?? '?'}  ${entry.package === null ? '(built in)' : `${entry.package}@${entry.version ?? '?'}`}  ${entry.source}${entry.path === null ? '' : ` ${entry.path}`}`;
        cli.out.data(entry.status === 'ok' ? `${what}  ${entry.capabilities!.join(',')}` : `${what}  refused: ${entry.reason}`);
      }
    });
}

function where(found: ProviderPackage): Pick<PluginEntry, 'package' | 'version' | 'source' | 'path'> {
  return { package: found.name, version: found.version ?? null, source: found.source, path: found.dir };
}

function loaded(provider: Provider<any>, at: Pick<PluginEntry, 'package' | 'version' | 'source' | 'path'>): PluginEntry {
  const capabilities = Object.entries(provider).filter(([key, value]) => !IDENTITY.includes(key) && value !== undefined).map(([key]) => key);
  return { id: provider.id, ...at, status: 'ok', name: provider.name, capabilities };
}

function refused(found: ProviderPackage, error: unknown): PluginEntry {
  const known = AuthError.is(error);
  return { id: found.id, ...where(found), status: 'refused', code: known ? error.code : 'INTERNAL', reason: known ? error.message : String(error) };
}
