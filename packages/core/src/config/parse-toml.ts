import { parse, TomlError } from 'smol-toml';
import { AuthError } from '../errors.js';

/** Parses TOML text; a syntax error names the file and line:column, never a stack. */
export function parseToml(text: string, file: string): Record<string, unknown> {
  try {
    return parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    // smol-toml appends a code excerpt after the first line; one line reads better in a terminal.
    const reason = error.message.split('\n', 1)[0]!.replace(/^Invalid TOML document: /, '');
    throw new AuthError('CONFIG_INVALID', `${file}:${error.line}:${error.column}: invalid TOML: ${reason}`, {
      file,
      hint: `fix the syntax at line ${error.line}, column ${error.column} of ${file}`,
      cause: error,
    });
  }
}
