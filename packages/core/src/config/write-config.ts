import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { stringify } from 'smol-toml';
import { writeFileAtomic } from '../stores/atomic-write.js';
import { withFileLock } from '../stores/file-lock.js';
import { checkConfigShape } from './config-shape.js';
import { parseToml } from './parse-toml.js';
import { readConfigText } from './read-config-text.js';

/**
 * Read-modify-write of config.toml under a cross-process lock, so two
 * concurrent `authctl configure` runs both land. The result must still be a
 * valid config before it replaces the file (atomically, 0600; a missing
 * folder is created 0700). Comments in the file are not preserved.
 */
export async function updateConfig(file: string, mutate: (doc: Record<string, any>) => void): Promise<void> {
  const path = resolve(file);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await withFileLock(path, `${path}.lock`, path, async () => {
    const doc = parseToml((await readConfigText(path)) ?? '', path);
    // An async mutator slips through the `=> void` type; wait for it rather than lose its changes.
    await mutate(doc);
    checkConfigShape(doc, path);
    await writeFileAtomic(path, stringify(doc));
  });
}
