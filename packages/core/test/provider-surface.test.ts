import { spawnSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtDist, useTempDirs } from './stores/helpers.js';

const tempDir = useTempDirs();
const packagesDir = new URL('../../', import.meta.url);

/** Every URL a module loads, transitively, recorded by a module resolve hook in a fresh node. */
async function importGraph(entry: string): Promise<string[]> {
  const dir = await tempDir();
  const hooks = join(dir, 'hooks.mjs');
  await writeFile(
    hooks,
    `export async function resolve(specifier, context, next) {
      const result = await next(specifier, context);
      process.stderr.write('resolved ' + result.url + '\\n');
      return result;
    }`,
  );
  const script = `import { register } from 'node:module';
    register(${JSON.stringify(pathToFileURL(hooks).href)});
    const surface = await import(${JSON.stringify(pathToFileURL(entry).href)});
    console.log(typeof surface.defineProvider, typeof surface.AuthError.is);`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(run.stderr.split('\n').filter((line) => line && !line.startsWith('resolved '))).toEqual([]);
  expect(run.stdout.trim()).toBe('function function');
  return run.stderr.split('\n').filter((l) => l.startsWith('resolved ')).map((l) => l.slice('resolved '.length));
}

function packagesOf(urls: string[]): string[] {
  const names = urls
    .filter((url) => url.includes('/node_modules/'))
    .map((url) => {
      const [first, second] = url.split('/node_modules/').at(-1)!.split('/');
      return first!.startsWith('@') ? `${first}/${second}` : first!;
    });
  return [...new Set(names)].sort();
}

describe('@auth/core/provider, the plugin-author surface', () => {
  it('loads neither the native keyring, the lock library nor the config parser, which only the CLI and server need', async () => {
    const packages = packagesOf(await importGraph(builtDist('provider.js')));

    expect(packages).not.toContain('@napi-rs/keyring');
    expect(packages).not.toContain('proper-lockfile');
    expect(packages).not.toContain('smol-toml');
    expect(packages).not.toContain('jose');
  });

  it('the root entry, the host API, does load them (so the split is real)', async () => {
    const packages = packagesOf(await importGraph(builtDist('index.js')));

    expect(packages).toEqual(expect.arrayContaining(['proper-lockfile', 'smol-toml']));
  });

  it('first-party provider sources import core only through @auth/core/provider and @auth/core/verify', async () => {
    const offenders: string[] = [];
    for (const name of (await readdir(packagesDir)).filter((entry) => entry.startsWith('provider-'))) {
      const src = new URL(`${name}/src/`, packagesDir);
      for (const file of (await readdir(src, { recursive: true })).filter((path) => path.endsWith('.ts'))) {
        const text = await readFile(new URL(file, src), 'utf8');
        for (const [, specifier] of text.matchAll(/from '(@auth\/core[^']*)'/g)) {
          if (specifier !== '@auth/core/provider' && specifier !== '@auth/core/verify') offenders.push(`packages/${name}/src/${file}: ${specifier}`);
        }
      }
    }

    expect(offenders).toEqual([]);
  });

  it('first-party providers take @auth/core and zod as peer dependencies, not as dependencies', async () => {
    const wrong: string[] = [];
    for (const name of (await readdir(packagesDir)).filter((entry) => entry.startsWith('provider-'))) {
      const manifest = JSON.parse(await readFile(new URL(`${name}/package.json`, packagesDir), 'utf8')) as Record<string, Record<string, string> | undefined>;
      for (const peer of ['@auth/core', 'zod']) {
        if (manifest.dependencies?.[peer] !== undefined) wrong.push(`${name}: ${peer} in dependencies`);
        if (manifest.peerDependencies?.[peer] === undefined) wrong.push(`${name}: ${peer} missing from peerDependencies`);
        if (manifest.devDependencies?.[peer] === undefined) wrong.push(`${name}: ${peer} missing from devDependencies (the workspace build needs it)`);
      }
    }

    expect(wrong).toEqual([]);
  });
});
