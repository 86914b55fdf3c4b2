import { readFileSync } from 'node:fs';

interface PackageJson {
  version: string;
}

// Read at run time (dist/ sits next to package.json) so the version never
// drifts from what is installed.
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as PackageJson;

export const version = pkg.version;
