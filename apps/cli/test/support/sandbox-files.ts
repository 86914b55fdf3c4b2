import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from './sandbox.js';

/**
 * config.toml with `config` (TOML text) and the file store, so a test can
 * read what was stored; the default `auto` could pick a keyring.
 */
export async function useFileStore(sandbox: Sandbox, config = ''): Promise<void> {
  await sandbox.writeConfig(`${config}\n[store]\nbackend = "file"\n`);
}

/** Copies `test/fixtures/<name>` into the sandbox, optionally edited, and returns its path. */
export async function copyFixture(sandbox: Sandbox, name: string, edit: (text: string) => string = (text) => text): Promise<string> {
  const file = join(sandbox.home, name);
  await writeFile(file, edit(await readFixture(name)));
  return file;
}

export function readFixture(name: string): Promise<string> {
  return readFile(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
}
