import { didYouMean } from '../did-you-mean.js';
import { AuthError } from '../errors.js';
import type { Provider } from '../contracts/v1/provider.js';
import { machineProvider } from '../machine/machine-provider.js';
import { adaptProvider } from './specification-version.js';

const PROVIDER_ID = /^[a-z0-9][a-z0-9-]*$/;

/** Providers core brings itself; their ids resolve before any package is looked for. */
export const BUILT_IN_PROVIDERS: readonly Provider<any>[] = [machineProvider];

/**
 * Returns a built-in provider (`machine`), or loads `@auth/provider-<id>`
 * through the caller's `importer`, so the package resolves from the caller's
 * own dependencies (the CLI passes `(s) => import(s)`). Accepts the default export or a named `provider`.
 * `known` are the provider ids the caller has at hand: a missing id close to
 * one of them is a typo and gets "did you mean", not an offer to install it.
 */
export async function loadProvider(
  id: string,
  importer: (specifier: string) => Promise<unknown>,
  known: readonly string[] = [],
): Promise<Provider<any>> {
  if (!PROVIDER_ID.test(id)) {
    throw new AuthError('CONFIG_INVALID', `${JSON.stringify(id)} is not a provider id`, {
      hint: 'provider ids are lower-case letters, digits and dashes, e.g. provider = "my-idp"',
    });
  }
  const builtIn = BUILT_IN_PROVIDERS.find((provider) => provider.id === id);
  if (builtIn !== undefined) return builtIn;
  const specifier = `@auth/provider-${id}`;
  let module: unknown;
  try {
    module = await importer(specifier);
  } catch (error) {
    const meant = didYouMean(id, known);
    if (isMissing(error, specifier) && meant !== undefined) {
      throw new AuthError('PROVIDER_NOT_FOUND', `There is no provider "${id}" (no package ${specifier}); did you mean ${meant}?`, {
        hint: `use provider "${meant}" (available: ${known.join(', ')})`,
        cause: error,
      });
    }
    if (isMissing(error, specifier)) {
      throw new AuthError('PROVIDER_NOT_FOUND', `The provider "${id}" is not installed (package ${specifier})`, {
        hint: `pnpm add ${specifier}`,
        cause: error,
      });
    }
    throw new AuthError('PROVIDER_NOT_FOUND', `The provider package ${specifier} failed to load`, {
      hint: `reinstall it: pnpm add ${specifier}`,
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
  if (current.id !== id) {
    throw new AuthError('PROVIDER_NOT_FOUND', `${specifier} provides "${current.id}", not "${id}"`, {
      hint: `check the package installed as ${specifier}`,
    });
  }
  return current;
}

function isProvider(value: unknown): value is Provider<any> {
  return typeof value === 'object' && value !== null && 'specificationVersion' in value && typeof (value as { id?: unknown }).id === 'string';
}

function isMissing(error: unknown, specifier: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(`'${specifier}'`);
}
