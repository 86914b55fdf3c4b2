import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** The workspace's package manifests and changesets, the only files `changeset version` reads or writes. */
function releaseFiles(): string[] {
  const tracked = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\n');
  return tracked.filter((file) => file === 'package.json' || file === 'pnpm-workspace.yaml' || file.startsWith('.changeset/') || /^(packages|apps|examples)\/[^/]+\/package\.json$/.test(file));
}

let scratch: string;
let manifests: string[];

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'authctl-changeset-version-'));
  manifests = releaseFiles().filter((file) => file.endsWith('/package.json'));
  for (const file of releaseFiles()) {
    mkdirSync(dirname(join(scratch, file)), { recursive: true });
    cpSync(join(root, file), join(scratch, file));
  }
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'));
  // The changelog generator names the commit that added each changeset.
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@authctl.invalid', ...args], { cwd: scratch });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'release files');
  execFileSync(join(root, 'node_modules/.bin/changeset'), ['version'], { cwd: scratch, encoding: 'utf8', stdio: 'pipe' });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const read = (file: string) => JSON.parse(readFileSync(join(scratch, file), 'utf8')) as { name: string; version: string; private?: boolean };
const before = (file: string) => JSON.parse(readFileSync(join(root, file), 'utf8')) as { name: string; version: string };

describe('pnpm changeset version', () => {
  it('writes a CHANGELOG.md with a section for the new version in every package it bumps', () => {
    const bumped = manifests.filter((file) => read(file).version !== before(file).version);

    expect(bumped.length).toBeGreaterThan(0);
    for (const file of bumped) {
      const changelog = join(scratch, dirname(file), 'CHANGELOG.md');
      expect(existsSync(changelog), `${file}: CHANGELOG.md`).toBe(true);
      expect(readFileSync(changelog, 'utf8')).toContain(`## ${read(file).version}\n`);
    }
  });

  it('a minor release of @auth/core does not give its peer dependents (the providers) a major release while core is 0.x', () => {
    const core = read('packages/core/package.json');

    for (const file of manifests.filter((manifest) => read(manifest).name.startsWith('@auth/provider-'))) {
      expect(read(file).version.split('.')[0], `${read(file).name} ${read(file).version} beside @auth/core ${core.version}`).toBe(core.version.split('.')[0]);
    }
  });
});
