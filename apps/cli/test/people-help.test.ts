import { describe, expect } from 'vitest';
import { test } from './support/fixtures.js';

describe('help for people', () => {
  test('authctl login --help lists the global options (--profile among them) and has examples', async ({ sandbox }) => {
    const help = await sandbox.run(['login', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Global Options:$/m);
    expect(help.stdout).toMatch(/^\s+--profile <name>\s/m);
    expect(help.stdout).toMatch(/^Examples:$/m);
    const examples = help.stdout.split(/^Examples:$/m)[1]!.split('\n').filter((line) => /^\s+\$ authctl login/.test(line));
    expect(examples.length).toBeGreaterThanOrEqual(2);
  });

  test('a usage error in a subcommand points at `authctl <command> --help`', async ({ sandbox }) => {
    const result = await sandbox.run(['login', '--flow', 'telepathy']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^hint: run `authctl login --help`$/m);
    const nested = await sandbox.run(['user', 'switch', 'a', 'b']);
    expect(nested.code).toBe(2);
    expect(nested.stderr).toMatch(/^hint: run `authctl user switch --help`$/m);
  });

  test('help at a narrow COLUMNS wraps only between words', async ({ sandbox }) => {
    for (const args of [['--help'], ['login', '--help'], ['status', '--help']]) {
      const wide = await sandbox.run(args, { env: { COLUMNS: '1000' } });
      const narrow = await sandbox.run(args, { env: { COLUMNS: '50' } });
      expect(narrow.code).toBe(0);
      for (const line of narrow.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(50);
      // A word cut in two would show up as two words.
      expect(narrow.stdout.split(/\s+/)).toEqual(wide.stdout.split(/\s+/));
    }
  });
});
