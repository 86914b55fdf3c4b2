import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exports as packageExports } from 'resolve.exports';
import { didYouMean } from '../did-you-mean.js';
import { AuthError } from '../errors.js';
import type { Provider } from '../contracts/v1/provider.js';
import { machineProvider } from '../machine/machine-provider.js';
import { conflictError, discoverProviders, type ProviderDiscovery, type ProviderPackage } from './discover-providers.js';
import type { PluginSearch } from './plugin-locations.js';
import { publishedProviderPackage } from './provider-package-name.js';
import { adaptProvider } from './specification-version.js';

const PROVIDER_ID = /^[a-z0-9][a-z0-9-]*$/;

/** Providers core brings itself; their ids resolve before any package is looked for. */
export const BUILT_IN_PROVIDERS: readonly Provider<any>[] = [machineProvider];

/** The installed provider packages a program can load, found once (see `discoverProviders`). */
export interface ProviderCatalog {
  discovery(): ProviderDiscovery;
  /** The command that installs a package where this program finds it (see `installCommand`). */
  installHint(packageName: string): string;
  /** The config file whose `plugins = [...]` settles a conflict, for the hint. */
  configFile?: string;
}

/** A catalog over `search`, discovered on first use. */
export function providerCatalog(search: PluginSearch, installHint: (packageName: string) => string): ProviderCatalog {
  let found: ProviderDiscovery | undefined;
  return {
    discovery: () => (found ??= discoverProviders(search)),
    installHint,
    ...(search.plugins ? { configFile: search.plugins.file } : {}),
  };
}

/**
 * Returns a built-in provider (`machine`), or loads the one installed
 * package that claims `id` (`@auth/provider-<id>`, `authctl-provider-<id>`,
 * `@<scope>/authctl-provider-<id>`). A missing id close to one at hand is a
 * typo and gets "did you mean", not an offer to install it.
 */
export async function loadProvider(id: string, catalog: ProviderCatalog): Promise<Provider<any>> {
  if (!PROVIDER_ID.test(id)) {
    throw new AuthError('CONFIG_INVALID', `${JSON.stringify(id)} is not a provider id`, {
      hint: 'provider ids are lower-case letters, digits and dashes, e.g. provider = "my-idp"',
    });
  }
  const builtIn = BUILT_IN_PROVIDERS.find((provider) => provider.id === id);
  if (builtIn !== undefined) return builtIn;
  const { packages, conflicts } = catalog.discovery();
  const conflict = conflicts.find((claimed) => claimed.id === id);
  if (conflict !== undefined) throw conflictError(conflict, catalog.configFile);
  const found = packages.find((candidate) => candidate.id === id);
  if (found === undefined) {
    const known = [...BUILT_IN_PROVIDERS.map((provider) => provider.id), ...packages.map((candidate) => candidate.id)];
    const meant = didYouMean(id, known);
    if (meant !== undefined) {
      throw new AuthError('PROVIDER_NOT_FOUND', `There is no provider "${id}"; did you mean ${meant}?`, {
        hint: `use provider "${meant}" (available: ${known.join(', ')})`,
      });
    }
    const name = publishedProviderPackage(id);
    throw new AuthError('PROVIDER_NOT_FOUND', `The provider "${id}" is not installed (no package ${name}, @<scope>/${name} or @auth/provider-${id})`, {
      hint: catalog.installHint(name),
    });
  }
  return importProviderPackage(found, catalog);
}

/** Imports an installed provider package and checks what it exports. */
export async function importProviderPackage(found: ProviderPackage, catalog: Pick<ProviderCatalog, 'installHint'>): Promise<Provider<any>> {
  const specifier = found.name;
  let module: unknown;
  try {
    module = await import(pathToFileURL(packageEntry(found.dir)).href);
  } catch (error) {
    throw new AuthError('PROVIDER_NOT_FOUND', `The provider package ${specifier} (${found.dir}) failed to load: ${(error as Error).message}`, {
      hint: `reinstall it: ${catalog.installHint(specifier)}`,
      cause: error,
    });
  }
  const exports = (module ?? {}) as { default?: unknown; provider?: unknown };
  const provider = exports.default ?? exports.provider;
  if (!isProvider(provider)) {
    throw new AuthError('PROVIDER_NOT_FOUND', `${specifier} does not export a provider`, {
      hint: `a provider package exports its provider as default (or as \`provider\`); check the version of ${specifier}`,
    });
  }
  const current = adaptProvider(provider, specifier);
  if (current.id !== found.id) {
    throw new AuthError('PROVIDER_NOT_FOUND', `${specifier} provides "${current.id}", not "${found.id}"`, {
      hint: `check the package installed as ${specifier}`,
    });
  }
  return current;
}

/** The file Node's ES module loader would run for the package in `dir`: its `exports` for ".", else `main`, else index.js. */
function packageEntry(dir: string): string {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Parameters<typeof packageExports>[0];
  const entry = packageExports(manifest, '.', { conditions: ['node', 'import'] })?.[0];
  return entry === undefined ? createRequire(import.meta.url).resolve(dir) : join(dir, entry);
}

function isProvider(value: unknown): value is Provider<any> {
  return typeof value === 'object' && value !== null && 'specificationVersion' in value && typeof (value as { id?: unknown }).id === 'string';
}
