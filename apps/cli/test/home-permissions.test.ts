import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tokenKey } from '@auth/core';
import { afterAll, beforeAll, beforeEach, describe, expect } from 'vitest';
import { test } from './support/fixtures.js';
import { configToml, idpProfile } from './support/profiles.js';
import { useFileStore } from './support/sandbox-files.js';
import { AUTHCTL, STACK_FRAME, type RunResult, type Sandbox } from './support/sandbox.js';

/** `nobody`: another local user, as setpriv(1) makes one without a login. */
const NOBODY = 65534;
/** A third local user, with no account either: a uid is all a file's owner is. */
const SOMEONE_ELSE = 4321;
const asUser = (uid: number) => ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'];

/** Writes `file` as another user, the way that user would: their process, their umask, their ownership. */
async function writeAs(uid: number, file: string, text: string): Promise<void> {
  const [command, ...args] = asUser(uid);
  await promisify(execFile)(command!, [...args, process.execPath, '-e', 'require("fs").writeFileSync(process.argv[1], process.argv[2])', file, text]);
}

/** Runs the built authctl as another user, in the sandbox's environment. */
function runAs(uid: number, sandbox: Sandbox, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const [command, ...prefix] = asUser(uid);
  return new Promise((resolve) => {
    execFile(command!, [...prefix, process.execPath, AUTHCTL, ...args], { env: sandbox.env(env) }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

/** Stands in for another local user's token endpoint: it records every request it gets. */
let attacker: Server;
let attackerUrl: string;
const stolen: string[] = [];
beforeAll(async () => {
  attacker = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      stolen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''} ${body}`);
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
    });
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => attacker.close(() => resolve())));
beforeEach(() => {
  stolen.length = 0;
});

const SECRET = { AUTHCTL_CLIENT_SECRET: 'svc-secret-0b7e' };
const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('AUTHCTL_HOME and config.toml are refused when another user could have changed them (like ssh with ~/.ssh)', () => {
  test('a 0777 home holding a config.toml that another user wrote: exit 2 naming the file and the chown, and the secret goes nowhere', async ({ sandbox }) => {
    await chmod(sandbox.home, 0o777);
    const planted = configToml({ dev: { provider: 'oidc', client_id: 'authctl', token_url: `${attackerUrl}/token`, service_account: { client_id: 'svc' } } }, 'dev');
    await writeAs(NOBODY, sandbox.configFile, planted);
    expect((await stat(sandbox.configFile)).uid).toBe(NOBODY);

    const result = await sandbox.run(['login', '--serviceaccount'], { env: SECRET });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`authctl: ${sandbox.configFile} is owned by another user (uid ${NOBODY}); refusing to use it`);
    expect(result.stderr).toMatch(new RegExp(`^hint: .*chown \\S+ ${sandbox.configFile}`, 'm'));
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(stolen).toEqual([]);

    const printed = await sandbox.run(['print-token'], { env: SECRET });
    expect(printed.code).toBe(2);
    expect(printed.stdout).toBe('');
    expect(stolen).toEqual([]);
  });

  test('a config.toml of this user that group or others may write is refused with the chmod that fixes it', async ({ idp, sandbox }) => {
    await sandbox.writeConfig(configToml({ dev: idpProfile(idp.issuer) }, 'dev'));
    await chmod(sandbox.configFile, 0o666);
    const result = await sandbox.run(['login', '--serviceaccount'], { env: { AUTHCTL_CLIENT_SECRET: idp.clients.confidential.secret } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`authctl: ${sandbox.configFile} is writable by other users (mode 0666); refusing to use it`);
    expect(result.stderr).toContain(`chmod go-w ${sandbox.configFile}`);

    await chmod(sandbox.configFile, 0o644);
    const fixed = await sandbox.run(['login', '--serviceaccount'], { env: { AUTHCTL_CLIENT_SECRET: idp.clients.confidential.secret } });
    expect(fixed.code, fixed.stderr).toBe(0);
  });

  test('an AUTHCTL_HOME that others may write is refused with the chmod that fixes it; authctl changes no folder it was pointed at', async ({ idp, sandbox }) => {
    await sandbox.writeConfig(configToml({ dev: idpProfile(idp.issuer) }, 'dev'));
    await chmod(sandbox.home, 0o777);
    const result = await sandbox.run(['status']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`authctl: ${sandbox.home} (AUTHCTL_HOME) is writable by other users (mode 0777); refusing to use it`);
    expect(result.stderr).toContain(`chmod go-w ${sandbox.home}`);
    expect(await mode(sandbox.home)).toBe(0o777);
  });

  test('the default home ($XDG_CONFIG_HOME/authctl), which authctl creates, is repaired to drop write access for others, with a message on stderr', async ({ idp, sandbox }) => {
    const xdg = join(sandbox.home, 'xdg');
    const home = join(xdg, 'authctl');
    await mkdir(home, { recursive: true, mode: 0o777 });
    await chmod(home, 0o777);
    await writeFile(join(home, 'config.toml'), configToml({ dev: idpProfile(idp.issuer) }, 'dev'), { mode: 0o600 });

    const result = await sandbox.run(['profile', 'list', '--plain'], { env: { AUTHCTL_HOME: '', XDG_CONFIG_HOME: xdg } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('dev\n');
    expect(result.stderr).toContain(`warning: ${home} was writable by other users (mode 0777); changed it to 0755`);
    expect(await mode(home)).toBe(0o755);

    const again = await sandbox.run(['profile', 'list', '--plain'], { env: { AUTHCTL_HOME: '', XDG_CONFIG_HOME: xdg } });
    expect(again.stderr, 'nothing left to repair, nothing said').toBe('');
  });

  test('run as a user who does not own it (setpriv): a config.toml of a third user is refused, a home of a third user too', async ({ sandbox }) => {
    const config = sandbox.configFile;
    await writeFile(config, configToml({ dev: { provider: 'oidc', client_id: 'authctl', token_url: `${attackerUrl}/token`, service_account: { client_id: 'svc' } } }, 'dev'), { mode: 0o644 });
    await chown(sandbox.home, NOBODY, NOBODY);

    // root may own what nobody uses, as for ssh: it could change anything anyway.
    const rootOwned = await runAs(NOBODY, sandbox, ['profile', 'list', '--plain']);
    expect(rootOwned.code, rootOwned.stderr).toBe(0);

    await chown(config, SOMEONE_ELSE, SOMEONE_ELSE);
    const refused = await runAs(NOBODY, sandbox, ['login', '--serviceaccount'], SECRET);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`${config} is owned by another user (uid ${SOMEONE_ELSE}); refusing to use it`);
    expect(stolen).toEqual([]);

    await chown(config, NOBODY, NOBODY);
    await chown(sandbox.home, SOMEONE_ELSE, SOMEONE_ELSE);
    await chmod(sandbox.home, 0o755);
    const foreignHome = await runAs(NOBODY, sandbox, ['login', '--serviceaccount'], SECRET);
    expect(foreignHome.code, foreignHome.stderr).toBe(2);
    expect(foreignHome.stderr).toContain(`${sandbox.home} (AUTHCTL_HOME) is owned by another user (uid ${SOMEONE_ELSE}); refusing to use it`);
    expect(stolen).toEqual([]);
  });
});

describe('the state folders and credential files', () => {
  test('a state/ folder others may write is repaired with a message; a credential file another user owns is refused', async ({ idp, sandbox }) => {
    await useFileStore(sandbox, configToml({ dev: idpProfile(idp.issuer) }, 'dev'));
    const env = { AUTHCTL_CLIENT_SECRET: idp.clients.confidential.secret };
    expect((await sandbox.run(['login', '--serviceaccount'], { env })).code).toBe(0);
    const state = join(sandbox.home, 'state');
    await chmod(state, 0o777);

    const login = await sandbox.run(['login', '--serviceaccount', '--replace'], { env });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toContain(`warning: ${state} was writable by other users (mode 0777); changed it to 0755`);
    expect(await mode(state)).toBe(0o755);

    const file = sandbox.credentialFile(tokenKey('dev'));
    await chown(file, NOBODY, NOBODY);
    const printed = await sandbox.run(['print-token']);
    expect(printed.code).toBe(2);
    expect(printed.stdout).toBe('');
    expect(printed.stderr).toContain(`${file} is owned by another user (uid ${NOBODY}); refusing to use it`);
  });
});
