import { installCommand, loadProvider, providerCatalog, type AuthctlConfig, type Provider, type ProviderCatalog } from '@auth/core';

/** The part of config.toml discovery reads: its `plugins = [...]`, relative to the file. */
export type PluginsConfig = Pick<AuthctlConfig, 'plugins' | 'file'>;

/**
 * The providers this authctl can load: packages named `@auth/provider-<id>`,
 * `authctl-provider-<id>` or `@<scope>/authctl-provider-<id>` in
 * AUTHCTL_PLUGIN_PATH, the project (the current folder's node_modules and its
 * parents'), authctl's own install (its bundled providers), npm's and pnpm's
 * global folders, and the config's `plugins = [...]`.
 */
export function cliProviders(config: PluginsConfig | undefined, env: NodeJS.ProcessEnv = process.env): ProviderCatalog {
  return providerCatalog(
    {
      cwd: process.cwd(),
      env,
      self: import.meta.url,
      ...(config === undefined ? {} : { plugins: { entries: config.plugins ?? [], file: config.file } }),
    },
    (name) => installCommand(import.meta.url, name, env),
  );
}

/** Loads the provider `id` (a built-in, or the one installed package that claims it); a typo of one at hand gets "did you mean". */
export function importProvider(id: string, config?: PluginsConfig, env: NodeJS.ProcessEnv = process.env): Promise<Provider<any>> {
  return loadProvider(id, cliProviders(config, env));
}

/** The ids of every installed provider package, for `configure` to offer. */
export function installedProviderIds(config: PluginsConfig, env: NodeJS.ProcessEnv = process.env): string[] {
  return cliProviders(config, env).discovery().packages.map(({ id }) => id);
}
