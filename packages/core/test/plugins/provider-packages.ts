import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes a package `name` into the folder of packages `modules` (a node_modules), as a package manager would, exporting `source`. */
export async function installPackage(modules: string, name: string, source: string, version = '1.0.0'): Promise<string> {
  const dir = join(modules, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version, type: 'module', exports: { '.': { import: './index.js' } } }));
  await writeFile(join(dir, 'index.js'), source);
  return dir;
}

/** The source of a provider module with `id`. */
export function providerSource(id: string, extra = ''): string {
  return `export default { specificationVersion: 'v1', id: '${id}', name: '${id} provider', options: {} ${extra} };`;
}
