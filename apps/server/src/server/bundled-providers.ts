import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { loadProvider, type Provider } from '@auth/core';

/**
 * The server names no provider: it loads every `@auth/provider-<id>` it
 * depends on, and each role keeps those with its capability (`verify` for
 * the machine login API, `gateway` for the gateway's routes). Supporting a
 * login method or a gateway protocol is a matter of adding the provider
 * package as a dependency of @auth/server.
 */

const PROVIDER_PACKAGE = /^@auth\/provider-(.+)$/;

/** Provider ids among @auth/server's own dependencies. */
export async function bundledProviderIds(): Promise<string[]> {
  // Self-reference through the package's exports: the same file from src/ (tests) and dist/.
  const file = createRequire(import.meta.url).resolve('@auth/server/package.json');
  const pkg = JSON.parse(await readFile(file, 'utf8')) as { dependencies?: Record<string, string> };
  return Object.keys(pkg.dependencies ?? {})
    .map((name) => PROVIDER_PACKAGE.exec(name)?.[1])
    .filter((id): id is string => id !== undefined)
    .sort();
}

/** The bundled providers that have `capability`. */
export async function loadBundledProviders(
  capability: 'verify' | 'gateway',
  importer: (specifier: string) => Promise<unknown> = (specifier) => import(specifier),
): Promise<Provider<any>[]> {
  const ids = await bundledProviderIds();
  const providers = await Promise.all(ids.map((id) => loadProvider(id, importer, ids)));
  return providers.filter((provider) => provider[capability] !== undefined);
}
