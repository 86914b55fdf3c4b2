// The example as a user gets it: packed with `pnpm pack`, installed from the
// tarball into a scratch project outside this workspace (no registry: the
// package has no runtime dependency), and found by the built authctl there,
// through AUTHCTL_PLUGIN_PATH and in npm's global folder, then used to log in
// to the testkit IdP with the device flow.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startTestIdP, type TestIdP } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const EXAMPLE = fileURLToPath(new URL('..', import.meta.url));
const AUTHCTL = join(dirname(createRequire(import.meta.url).resolve('@auth/cli/package.json')), 'dist', 'authctl.cjs');

/** The version being packed, as `changeset version` leaves it. */
const VERSION = (JSON.parse(readFileSync(join(EXAMPLE, 'package.json'), 'utf8')) as { version: string }).version;

let scratch: string;
let tarball: string;
let idp: TestIdP;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built authctl in `cwd`, with its own AUTHCTL_HOME and nothing of the developer's (no global folder either). */
function authctl(args: string[], options: { cwd: string; home: string; env?: Record<string, string>; onLine?: (line: string) => void }): Promise<Result> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AUTHCTL_') && !key.toLowerCase().startsWith('npm_config_')) env[key] = value;
  Object.assign(env, { AUTHCTL_HOME: options.home, NO_COLOR: '1', npm_config_prefix: join(scratch, 'no-global'), PNPM_HOME: join(scratch, 'no-pnpm'), ...options.env });
  const child = spawn(process.execPath, [AUTHCTL, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out.stdout += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) options.onLine?.(line);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out.stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, ...out })));
}

/** A fresh AUTHCTL_HOME (0700) whose profile `ex` uses the example provider against the testkit IdP. */
async function home(): Promise<string> {
  const dir = await mkdtemp(join(scratch, 'home-'));
  await chmod(dir, 0o700);
  await writeFile(join(dir, 'config.toml'), `default_profile = "ex"\n\n[store]\nbackend = "file"\n\n[profiles.ex]\nprovider = "example"\nissuer = "${idp.issuer}"\nclient_id = "authctl"\n`, { mode: 0o600 });
  return dir;
}

/** `authctl login` with the device flow, the testkit's headless user approving the code it shows. */
async function deviceLogin(options: { cwd: string; home: string; env?: Record<string, string> }): Promise<Result> {
  const approvals: Array<Promise<void>> = [];
  const result = await authctl(['login', '--json'], {
    ...options,
    onLine: (line) => {
      const event = JSON.parse(line) as { event: string; verification_uri?: string; user_code?: string };
      if (event.event === 'device_code') approvals.push(idp.user.approveDevice(event.verification_uri!, event.user_code!));
    },
  });
  await Promise.all(approvals);
  return result;
}

/** RFC 7662 introspection by the IdP's confidential client. */
async function active(token: string): Promise<boolean> {
  const { id, secret } = idp.clients.confidential;
  const response = await fetch(`${idp.issuer}/token/introspection`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
  });
  return ((await response.json()) as { active: boolean }).active;
}

beforeAll(async () => {
  if (!existsSync(join(EXAMPLE, 'dist', 'index.js')) || !existsSync(AUTHCTL)) {
    throw new Error('build first: pnpm --filter authctl-provider-example... build (turbo builds both before the tests)');
  }
  scratch = await mkdtemp(join(tmpdir(), 'authctl-example-'));
  await run('pnpm', ['pack', '--pack-destination', scratch], { cwd: EXAMPLE });
  tarball = join(scratch, (await readdir(scratch)).find((name) => name.endsWith('.tgz'))!);
  const project = join(scratch, 'project');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'scratch-project', private: true }));
  // Offline, from the tarball alone: any runtime dependency would make this fail.
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: project, env: { ...process.env, npm_config_prefix: join(scratch, 'no-global') } });
  idp = await startTestIdP();
}, 120_000);

afterAll(async () => {
  await idp?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('authctl-provider-example installed from its tarball', () => {
  test('the packed package has no runtime dependency at all, and no @auth/* package among its peers', async () => {
    const manifest = JSON.parse(await readFile(join(scratch, 'project', 'node_modules', 'authctl-provider-example', 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.name).toBe('authctl-provider-example');
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(Object.keys((manifest.peerDependencies as object | undefined) ?? {}).filter((name) => name.startsWith('@auth/'))).toEqual([]);
    expect(await readdir(join(scratch, 'project', 'node_modules'))).toEqual(expect.not.arrayContaining(['@auth', 'zod']));
  });

  test('in the project: `authctl plugins list` shows it, then login with the device flow and print-token give a token the IdP knows as live', async () => {
    const project = join(scratch, 'project');
    const dir = await home();
    const listed = await authctl(['plugins', 'list', '--json'], { cwd: project, home: dir });
    expect(listed.code).toBe(0);
    const entries = listed.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.find((entry) => entry.id === 'example')).toEqual({
      id: 'example',
      package: 'authctl-provider-example',
      version: VERSION,
      source: 'project',
      path: join(project, 'node_modules', 'authctl-provider-example'),
      status: 'ok',
      name: 'Example OpenID Connect issuer',
      capabilities: ['oauth'],
    });

    const login = await deviceLogin({ cwd: project, home: dir });
    expect(login.code).toBe(0);
    expect(login.stderr).toContain('Logged in to profile "ex"');
    expect(login.stdout).toContain('"event":"logged_in"');
    const printed = await authctl(['print-token'], { cwd: project, home: dir });
    expect(printed.code).toBe(0);
    expect(await active(printed.stdout.trim())).toBe(true);
  });

  test('through AUTHCTL_PLUGIN_PATH from any folder; without it there, login names the install command', async () => {
    const elsewhere = await mkdtemp(join(scratch, 'elsewhere-'));
    const dir = await home();
    const missing = await authctl(['login'], { cwd: elsewhere, home: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('The provider "example" is not installed');
    expect(missing.stderr).toContain('authctl-provider-example');

    const env = { AUTHCTL_PLUGIN_PATH: join(scratch, 'project', 'node_modules') };
    const listed = await authctl(['plugins', 'list'], { cwd: elsewhere, home: dir, env });
    expect(listed.stdout).toMatch(new RegExp(`^example {2}authctl-provider-example@${VERSION.replaceAll('.', '\\.')} {2}AUTHCTL_PLUGIN_PATH `, 'm'));
    const login = await deviceLogin({ cwd: elsewhere, home: dir, env });
    expect(login.code).toBe(0);
    const printed = await authctl(['print-token'], { cwd: elsewhere, home: dir, env });
    expect(await active(printed.stdout.trim())).toBe(true);
  });

  test("installed with npm install -g (npm's global folder under a scratch prefix), found from any folder", async () => {
    const prefix = join(scratch, 'global');
    await run('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { env: { ...process.env, npm_config_prefix: prefix } });
    const elsewhere = await mkdtemp(join(scratch, 'elsewhere-'));
    const dir = await home();
    const env = { npm_config_prefix: prefix };
    const listed = await authctl(['plugins', 'list', '--json'], { cwd: elsewhere, home: dir, env });
    expect(listed.stdout.split('\n').filter((line) => line.includes('"authctl-provider-example"')).map((line) => JSON.parse(line).source)).toEqual(['npm-global']);
    expect((await deviceLogin({ cwd: elsewhere, home: dir, env })).code).toBe(0);
  });

  test("installed with pnpm add -g (pnpm's global folder under a scratch PNPM_HOME), found from any folder", async () => {
    const pnpmHome = join(scratch, 'pnpm-home');
    const env = { ...process.env, PNPM_HOME: pnpmHome, PATH: `${join(pnpmHome, 'bin')}:${pnpmHome}:${process.env.PATH}` };
    await run('pnpm', ['add', '-g', '--offline', tarball], { cwd: scratch, env });
    const elsewhere = await mkdtemp(join(scratch, 'elsewhere-'));
    const listed = await authctl(['plugins', 'list', '--json'], { cwd: elsewhere, home: await home(), env: { PNPM_HOME: pnpmHome } });
    expect(listed.stdout.split('\n').filter((line) => line.includes('"authctl-provider-example"')).map((line) => JSON.parse(line).source)).toEqual(['pnpm-global']);
  });

  test('named by path in the config\'s plugins = [...], found from any folder', async () => {
    const dir = await home();
    const config = await readFile(join(dir, 'config.toml'), 'utf8');
    await writeFile(join(dir, 'config.toml'), `plugins = ["${join(scratch, 'project', 'node_modules', 'authctl-provider-example')}"]\n${config}`, { mode: 0o600 });
    const elsewhere = await mkdtemp(join(scratch, 'elsewhere-'));
    const listed = await authctl(['plugins', 'list'], { cwd: elsewhere, home: dir });
    expect(listed.stdout).toMatch(new RegExp(`^example {2}authctl-provider-example@${VERSION.replaceAll('.', '\\.')} {2}config `, 'm'));
    expect((await deviceLogin({ cwd: elsewhere, home: dir })).code).toBe(0);
  });
});
