import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as oauth from 'oauth4webapi';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { CODE_PAGE_PATH, DEV_RESOURCE } from '../src/index.js';
import { AuthctlHome, type AuthctlResult } from './support/authctl.js';
import { BannerLines } from './support/banner-lines.js';
import { start, type RunningBinary } from './support/binary.js';
import { ARTIFACTS, CHROMIUM } from './support/chromium.js';
import { DEMO_PASSWORD, SERVICE_SECRET } from './support/credentials.js';
import { discover, verifyAccessToken } from './support/oauth-client.js';
import { makeDataDir, removeDataDir } from './support/test-server.js';

/**
 * Issue 3, points 4–5: the built `authctl` logs in to the built
 * `auth-server --dev` by browser, code, device and service account, running
 * exactly the lines the server prints (only `--json` is added to `login`, so
 * the test reads events instead of human text).
 */

/** A person in Debian chromium at auth-server's pages; authctl runs it as BROWSER. */
const BROWSER = fileURLToPath(new URL('./support/authctl-browser.mjs', import.meta.url));
const SCREENSHOTS = join(ARTIFACTS, 'authctl');

let dataDir: string;
let server: RunningBinary;
let banner: BannerLines;
let as: oauth.AuthorizationServer;
let home: AuthctlHome;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Debian chromium is missing at ${CHROMIUM}: apt-get install -y chromium`);
  // authctl spawns $BROWSER itself, so the script must stay executable even if a checkout dropped the bit.
  await chmod(BROWSER, 0o755);
  await rm(SCREENSHOTS, { recursive: true, force: true });
  await mkdir(SCREENSHOTS, { recursive: true });
  dataDir = await makeDataDir();
  server = await start(['--dev', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    env: { AUTH_SERVER_DEV_PASSWORD: DEMO_PASSWORD, AUTH_SERVER_DEV_CLIENT_SECRET: SERVICE_SECRET },
  });
  // stderr and stdout are separate pipes: the banner may arrive just after `ready`.
  await vi.waitFor(() => expect(server.stderr()).toContain('print-token --profile dev-service'));
  banner = BannerLines.parse(server.stderr());
  as = await discover(server.issuer);
});

afterAll(async () => {
  if (server) expect(await server.stop()).toBe(0);
  if (dataDir) await removeDataDir(dataDir);
});

beforeEach(async () => {
  home = await AuthctlHome.create();
});

afterEach(async () => {
  await home.remove();
});

const browserLog = () => join(home.home, 'browser.log');

/**
 * The BROWSER script's last log line. authctl does not wait for the browser it
 * started (it may exit as soon as the callback arrives), so wait for the log.
 */
async function browserOutcome(): Promise<string> {
  return vi.waitFor(
    async () => {
      const outcome = existsSync(browserLog()) ? /^(done|failed).*$/m.exec(await readFile(browserLog(), 'utf8')) : null;
      if (!outcome) throw new Error(`the BROWSER script has not finished: ${browserLog()}`);
      return outcome[0];
    },
    { timeout: 30_000, interval: 100 },
  );
}

/** What the BROWSER script needs: who signs in, where screenshots go, and a log of the pages it saw. */
function browserEnv(prefix: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    AUTH_SERVER_TEST_PASSWORD: DEMO_PASSWORD,
    AUTH_SERVER_TEST_ARTIFACTS: SCREENSHOTS,
    AUTH_SERVER_TEST_ARTIFACT_PREFIX: prefix,
    AUTH_SERVER_TEST_BROWSER_LOG: browserLog(),
    ...extra,
  };
}

/** The person opens `url` themselves (code and device flows: authctl only prints it). */
function openInBrowser(url: string, env: NodeJS.ProcessEnv): Promise<AuthctlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(BROWSER, [url], { env: home.env(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The pages the BROWSER script screenshotted for `prefix`, in order. */
async function screenshottedPages(prefix: string): Promise<string[]> {
  const files = (await readdir(SCREENSHOTS)).filter((name) => name.startsWith(`${prefix}-`)).sort();
  return files.map((name) => name.slice(prefix.length + 4, -'.png'.length));
}

/** Matches a URL of the server's authorization endpoint. */
const authorizationUrl = () =>
  expect.toSatisfy((url: unknown) => typeof url === 'string' && url.startsWith(`${as.authorization_endpoint}?`), `${as.authorization_endpoint}?…`);

function events(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function configureDevProfile(): Promise<void> {
  const configured = await home.run(banner.startingWith('configure', '--profile', 'dev'));
  expect(configured.code, configured.stderr).toBe(0);
}

/** The banner's print-token line prints an RFC 9068 access token that verifies against the server's JWKS. */
async function expectPrintedAccessToken(argv: string[], subject: string, clientId: string): Promise<void> {
  const printed = await home.run(argv);
  expect(printed.code, printed.stderr).toBe(0);
  expect(printed.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  const { payload, protectedHeader } = await verifyAccessToken(as, printed.stdout.trim(), DEV_RESOURCE);
  expect(protectedHeader.typ).toBe('at+jwt');
  expect(payload).toMatchObject({ iss: server.issuer, aud: DEV_RESOURCE, sub: subject, client_id: clientId });
}

describe('authctl against the built `auth-server --dev`, following the lines it prints', () => {
  test('browser flow: BROWSER drives Debian chromium through sign-in and consent to the loopback callback; print-token is a JWT for demo', async () => {
    await configureDevProfile();
    const login = await home.run([...banner.exactly('login', '--flow', 'browser'), '--json'], { env: { BROWSER, ...browserEnv('browser-flow') } });

    expect(login.code, login.stderr).toBe(0);
    expect(events(login.stdout)).toEqual([
      { event: 'open_url', url: authorizationUrl() },
      expect.objectContaining({ event: 'logged_in', profile: 'dev' }),
    ]);
    expect(await browserOutcome()).toBe('done callback');
    expect(await screenshottedPages('browser-flow')).toEqual(['sign-in', 'consent', 'callback']);
    await expectPrintedAccessToken(banner.exactly('print-token'), 'demo', 'authctl');
  });

  test('code flow: chromium signs in, the paste-the-code page shows the code, and pasting it into authctl logs in', async () => {
    await configureDevProfile();
    const login = home.start([...banner.exactly('login', '--flow', 'code'), '--json']);
    const open = await login.nextEvent();
    expect(open).toEqual({ event: 'open_url', url: authorizationUrl() });
    expect(new URL(String(open.url)).searchParams.get('redirect_uri')).toBe(`${server.issuer}${CODE_PAGE_PATH}`);

    const person = await openInBrowser(String(open.url), browserEnv('code-flow'));
    expect(person.code, person.stderr).toBe(0);
    expect(person.stdout).toMatch(/^\S+\n$/);
    login.write(person.stdout);

    const result = await login.done;
    expect(result.code, result.stderr).toBe(0);
    expect(events(result.stdout).map((event) => event.event)).toEqual(['open_url', 'logged_in']);
    expect(await screenshottedPages('code-flow')).toEqual(['sign-in', 'consent', 'code']);
    await expectPrintedAccessToken(banner.exactly('print-token'), 'demo', 'authctl');
  });

  test('device flow: chromium opens verification_uri, enters the user_code, signs in and allows; the polling authctl logs in', async () => {
    await configureDevProfile();
    const login = home.start([...banner.exactly('login', '--flow', 'device'), '--json'], { input: '' });
    const device = await login.nextEvent();
    expect(device).toMatchObject({ event: 'device_code', verification_uri: `${server.issuer}/device`, user_code: expect.any(String) });
    expect(server.stderr()).toContain(`enter the code at ${String(device.verification_uri)}`);

    const person = await openInBrowser(String(device.verification_uri), browserEnv('device-flow', { AUTH_SERVER_TEST_USER_CODE: String(device.user_code) }));
    expect(person.code, person.stderr).toBe(0);

    const result = await login.done;
    expect(result.code, result.stderr).toBe(0);
    expect(events(result.stdout).map((event) => event.event)).toEqual(['device_code', 'logged_in']);
    expect(await screenshottedPages('device-flow')).toEqual(['device-entry', 'device-confirm', 'sign-in', 'consent', 'device-connected']);
    await expectPrintedAccessToken(banner.exactly('print-token'), 'demo', 'authctl');
  });

  test('service account: the secret piped into configure --client-secret-stdin, then login --serviceaccount; print-token is a JWT for demo-service', async () => {
    const configure = banner.startingWith('configure', '--profile', 'dev-service');
    expect(configure).toContain('--client-secret-stdin');
    const configured = await home.run(configure, { input: `${SERVICE_SECRET}\n` });
    expect(configured.code, configured.stderr).toBe(0);
    expect(await readFile(join(home.home, 'config.toml'), 'utf8')).not.toContain(SERVICE_SECRET);

    const login = await home.run([...banner.exactly('login', '--profile', 'dev-service', '--serviceaccount'), '--json']);
    expect(login.code, login.stderr).toBe(0);
    expect(events(login.stdout)).toEqual([expect.objectContaining({ event: 'logged_in', profile: 'dev-service' })]);
    expect(configured.stdout + configured.stderr + login.stdout + login.stderr).not.toContain(SERVICE_SECRET);
    await expectPrintedAccessToken(banner.exactly('print-token', '--profile', 'dev-service'), 'demo-service', 'demo-service');
  });

  test('a wrong password in the browser flow: chromium is shown the sign-in error page, and authctl stores nothing', async () => {
    await configureDevProfile();
    const login = home.start([...banner.exactly('login', '--flow', 'browser'), '--json'], {
      input: '',
      env: { BROWSER, ...browserEnv('wrong-password', { AUTH_SERVER_TEST_PASSWORD: 'not-the-demo-password' }) },
    });
    // authctl keeps waiting for a callback that never comes; the person gives up once the error page is shown.
    expect(await browserOutcome()).toMatch(/^failed: sign-in as demo was refused: .*Incorrect username or password/);
    expect(await screenshottedPages('wrong-password')).toEqual(['sign-in', 'sign-in']);
    login.kill('SIGINT');
    const result = await login.done;
    expect(result.code).not.toBe(0);
    expect(events(result.stdout).map((event) => event.event)).not.toContain('logged_in');

    const status = await home.run(['status', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ profile: 'dev', logged_in: false });
    const printed = await home.run(banner.exactly('print-token'));
    expect(printed.code).toBe(3);
    expect(printed.stdout).toBe('');
  });
});
