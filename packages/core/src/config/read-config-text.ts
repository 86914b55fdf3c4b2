import { readFile } from 'node:fs/promises';
import { AuthError } from '../errors.js';

/** The text of a config file, or undefined when there is none yet. */
export async function readConfigText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
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
