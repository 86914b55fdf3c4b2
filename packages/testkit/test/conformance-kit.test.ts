import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const FIXTURES = fileURLToPath(new URL('./fixtures/conformance/', import.meta.url));
/** vitest's own CLI script, next to its package.json. */
const VITEST = fileURLToPath(new URL('vitest.mjs', import.meta.resolve('vitest/package.json')));

interface Outcome {
  passed: string[];
  failed: string[];
}

/** Runs one fixture file in a vitest of its own (the built kit, as a plugin's tests use it) and returns which tests passed and failed. */
async function runFixture(file: string): Promise<Outcome> {
  const out = await mkdtemp(join(tmpdir(), 'conformance-kit-'));
  try {
    const report = join(out, 'report.json');
    const child = spawn(process.execPath, [VITEST, 'run', file, '--reporter=json', `--outputFile=${report}`], {
      cwd: FIXTURES,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const parsed = JSON.parse(await readFile(report, 'utf8').catch(() => `{"testResults":[],"stderr":${JSON.stringify(stderr)}}`)) as {
      testResults: Array<{ assertionResults: Array<{ title: string; status: string }> }>;
    };
    const results = parsed.testResults.flatMap((result) => result.assertionResults);
    expect(results.length, `no test ran (exit ${code}): ${stderr}`).toBeGreaterThan(0);
    return {
      passed: results.filter((r) => r.status === 'passed').map((r) => r.title),
      failed: results.filter((r) => r.status === 'failed').map((r) => r.title),
    };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

describe('the conformance suites fail subjects that break the contracts', () => {
  it('store suite: a store that hands out its own objects and locks nothing fails the copy and withLock tests, and only those', async () => {
    const { failed, passed } = await runFixture('broken-store.fixture.ts');
    expect(failed.sort()).toEqual([
      'values are copied: changing a returned object does not change the store',
      'withLock serialises read-modify-write in one process: 40 concurrent increments give 40',
    ]);
    expect(passed).toContain('set then get round-trips every credential kind');
  });

  it('provider suite: a schema that takes anything, and a capability claimed but missing, fail; core-driven flows pass', async () => {
    const { failed, passed } = await runFixture('broken-provider.fixture.ts');
    expect(failed).toEqual(
      expect.arrayContaining([
        'has exactly the capabilities its manifest declares (oauth, verify), each of specification v1',
        'each setting of the wrong type is refused with CONFIG_INVALID naming profiles.NAME.KEY, in words (exit 2)',
      ]),
    );
    expect(passed).toEqual(
      expect.arrayContaining(["the options schema accepts the manifest's settings", 'device flow (RFC 8628): shows the code, the person approves it at the IdP, login stores tokens']),
    );
  });

  it('admin suite: duplicate paths, a command that is a group, secrets in argv, unprintable results and leaked secrets each fail', async () => {
    const { failed, passed } = await runFixture('broken-admin.fixture.ts');
    expect(passed).toContain('run 1, users list: --json prints its data, text comes in lines, and no secret given is printed or saved');
    expect(failed.sort()).toEqual(
      [
        'declares specification v1 and exactly the commands of its manifest',
        'mounts: each path is unique, made of lower-case words, and no command is also a group',
        'secrets are read from stdin or a prompt, never argv: the declared secret options are switches, and no argument or value takes a secret',
        'run 2, users set-password carol: --json prints its data, text comes in lines, and no secret given is printed or saved',
        'run 3, users reset carol: --json prints its data, text comes in lines, and no secret given is printed or saved',
      ].sort(),
    );
  });
});
