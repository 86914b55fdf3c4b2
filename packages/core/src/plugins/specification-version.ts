import { AuthError } from '../errors.js';
import type { Provider } from '../contracts/v1/provider.js';

/** The provider specification versions this core loads, oldest first; the last is the one core is written against. */
export const SPECIFICATION_VERSIONS = ['v1'] as const;

export type SpecificationVersion = (typeof SPECIFICATION_VERSIONS)[number];

/**
 * One adapter per version core loads, each turning a plugin written against that
 * version into the current contract. v1 is current, so its adapter is the identity;
 * when a v2 becomes current, `v2` gets the identity and `v1` a function that maps a
 * v1 plugin onto v2, and old plugins keep loading.
 */
const ADAPTERS: { readonly [Version in SpecificationVersion]: (plugin: Provider<any>) => Provider<any> } = {
  v1: (plugin) => plugin,
};

/**
 * Checks the specification version a plugin declares (and that of each capability
 * it carries) and returns it adapted to the current contract. `plugin` names the
 * package or file, for the message. A version core does not know is
 * PROVIDER_UNSUPPORTED_VERSION: the package was found, it is the wrong generation.
 */
export function adaptProvider(provider: Provider<any>, plugin: string): Provider<any> {
  const declared: unknown = provider.specificationVersion;
  if (!isSupported(declared)) throw unsupported(plugin, `provider specification ${describe(declared)}`);
  for (const [capability, value] of Object.entries(provider)) {
    if (typeof value !== 'object' || value === null || !('specificationVersion' in value)) continue;
    const version: unknown = value.specificationVersion;
    if (version !== declared) {
      throw unsupported(plugin, `its ${capability} capability with specification ${describe(version)} (the provider declares ${declared})`);
    }
  }
  return ADAPTERS[declared](provider);
}

function isSupported(version: unknown): version is SpecificationVersion {
  return (SPECIFICATION_VERSIONS as readonly unknown[]).includes(version);
}

function describe(version: unknown): string {
  return typeof version === 'string' ? version : JSON.stringify(version) ?? String(version);
}

function unsupported(plugin: string, what: string): AuthError {
  const supported = SPECIFICATION_VERSIONS.join(', ');
  return new AuthError('PROVIDER_UNSUPPORTED_VERSION', `${plugin} implements ${what}; this authctl supports provider specification ${supported}`, {
    hint: `install a version of ${plugin} made for provider specification ${supported}, or upgrade authctl to one that supports the plugin's version`,
  });
}
