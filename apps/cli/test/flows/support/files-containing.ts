import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Every regular file under `dir`, recursively, with its content. */
export async function readTree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path, await readFile(path, 'latin1'));
  }
  return files;
}

/** The files under `dir` whose bytes contain `needle`. */
export async function filesContaining(dir: string, needle: string): Promise<string[]> {
  return [...(await readTree(dir))].filter(([, content]) => content.includes(needle)).map(([path]) => path);
}
