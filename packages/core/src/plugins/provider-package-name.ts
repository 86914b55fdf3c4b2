/**
 * The package names a provider may be published under, and the provider id
 * each one claims. `@auth/*` is the workspace's own scope; third parties
 * publish `authctl-provider-<id>` or `@<their-scope>/authctl-provider-<id>`.
 */
const PROVIDER_PACKAGE = /^(?:@auth\/provider-|authctl-provider-|@[a-z0-9][a-z0-9._~-]*\/authctl-provider-)([a-z0-9][a-z0-9-]*)$/;

/** The provider id a package name claims, or undefined when the name follows none of the patterns. */
export function providerIdOfPackage(name: string): string | undefined {
  return PROVIDER_PACKAGE.exec(name)?.[1];
}

/** The name a third party publishes the provider `id` under, without a scope. */
export function publishedProviderPackage(id: string): string {
  return `authctl-provider-${id}`;
}
