import { AuthError, type ProfileImporter } from '@auth/core';
import { importProvider, installedProviderIds, type PluginsConfig } from './plugins/cli-providers.js';

/** The config-file importers the installed providers declare, by `--from` id (the first provider to declare an id keeps it). */
export async function installedImporters(config: PluginsConfig): Promise<Map<string, ProfileImporter>> {
  const importers = new Map<string, ProfileImporter>();
  for (const id of installedProviderIds(config)) {
    const provider = await importProvider(id, config).catch(() => undefined);
    if (provider === undefined) continue; // a broken plugin is reported by `authctl plugins list`, not here
    for (const importer of provider.importers ?? []) {
      if (!importers.has(importer.id)) importers.set(importer.id, importer);
    }
  }
  return importers;
}

/** The importer `--from` names, or a usage error listing those there are. */
export async function findImporter(from: string, config: PluginsConfig): Promise<ProfileImporter> {
  const importers = await installedImporters(config);
  const importer = importers.get(from);
  if (importer === undefined) {
    const known = [...importers.keys()].sort();
    throw new AuthError('USAGE', `no installed provider imports profiles from "${from}"`, {
      hint: known.length === 0 ? 'install a provider that imports from it' : `use --from ${known.join(' or --from ')}`,
    });
  }
  if (importer.specificationVersion !== 'v1') {
    throw new AuthError('PROVIDER_NOT_FOUND', `the importer "${from}" implements specification ${String(importer.specificationVersion)}, this authctl supports v1`, {
      hint: 'install a version of its provider made for this authctl',
    });
  }
  return importer;
}
