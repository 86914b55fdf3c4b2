import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, EXIT_CODES } from '../src/errors.js';

/** The root README's exit-code table: what scripts are told must be what authctl does. */
const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

function documentedExitCodes(): Map<string, number> {
  const section = README.slice(README.indexOf('### Exit codes'));
  const documented = new Map<string, number>();
  for (const row of section.split('\n').filter((line) => /^\| [1-5] \|/.test(line))) {
    const [, exit, , codes] = row.split('|').map((cell) => cell.trim());
    for (const [, code] of codes!.matchAll(/`([A-Z_]+)`/g)) {
      expect(documented.has(code!), `${code} is documented once`).toBe(false);
      documented.set(code!, Number(exit));
    }
  }
  return documented;
}

describe('README exit-code table', () => {
  it('names every AuthError code once, with the exit code exitCodeFor gives it', () => {
    const documented = documentedExitCodes();
    expect([...documented.keys()].sort()).toEqual([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) expect(documented.get(code), code).toBe(EXIT_CODES[code]);
  });
});
