import { readFileSync } from 'node:fs';
import { AuthError } from '../errors.js';

/**
 * The text of a config file, or undefined when there is none yet. Read
 * synchronously: it is one small file on the print-token hot path, where
 * loading `fs/promises` and waiting on the thread pool cost more than the read.
 */
export async function readConfigText(file: string): Promise<string | undefined> {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new AuthError('CONFIG_INVALID', `${file}: cannot read the config file (${code})`, {
      file,
      hint: `check that ${file} is a readable file`,
      cause: error,
    });
  }
}
