import { readFileSync } from 'node:fs';

interface PackageJson {
  version: string;
  dependencies?: Record<string, string>;
}

// Read at run time (dist/ sits next to package.json) so the version and the
// bundled provider list never drift from what is installed.
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as PackageJson;

export const version = pkg.version;

const PROVIDER_PACKAGE = /^@auth\/provider-(.+)$/;

/** Provider ids installed with the CLI itself (`@auth/provider-<id>` dependencies); others can be added. */
export function bundledProviderIds(): string[] {
  return Object.keys(pkg.dependencies ?? {})
    .map((name) => PROVIDER_PACKAGE.exec(name)?.[1])
    .filter((id): id is string => id !== undefined)
    .sort();
}
