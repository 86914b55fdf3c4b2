#!/usr/bin/env node
// A person at auth-server's pages, in Debian chromium: `authctl-browser.mjs <url>`.
//
// authctl runs it as BROWSER for `login --flow browser`: it signs in and allows
// until the page lands on the URL's redirect_uri (authctl's loopback callback).
// The tests also run it by hand: on the paste-the-code page it prints the
// authorization code on stdout; on the device pages it enters
// AUTH_SERVER_TEST_USER_CODE and approves. Exit 0 at the end of sign-in, 1 with
// the reason on stderr (and in the log) otherwise, 2 on bad usage.
//
// Environment: AUTH_SERVER_TEST_USERNAME (default demo), AUTH_SERVER_TEST_PASSWORD,
// AUTH_SERVER_TEST_USER_CODE, AUTH_SERVER_TEST_ARTIFACTS (a folder for a screenshot
// of every page, named AUTH_SERVER_TEST_ARTIFACT_PREFIX-<step>-<page>.png) and
// AUTH_SERVER_TEST_BROWSER_LOG (a file that gets one line per page, then
// `done <page>` or `failed: <reason>`; origin and path only, never a code).
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

// The same browser as test/support/chromium.ts: Debian's, never a downloaded one.
const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const STEP_TIMEOUT_MS = 15_000;
const OVERALL_TIMEOUT_MS = 60_000;
const MAX_PAGES = 10;

const env = process.env;
const log = (line) => {
  if (env.AUTH_SERVER_TEST_BROWSER_LOG) appendFileSync(env.AUTH_SERVER_TEST_BROWSER_LOG, `${line}\n`);
};
const where = (url) => {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
};

/** Which of auth-server's pages this is, by its heading; the redirect target once the browser got there. */
async function classify(page, redirectUri) {
  const h1 = page.locator('h1');
  const heading = (await h1.count()) > 0 ? (await h1.first().textContent())?.trim() : undefined;
  if (heading === 'Signed in' && (await page.getByLabel('Authorization code').count()) > 0) return 'code';
  if (redirectUri && page.url().startsWith(redirectUri)) return 'callback';
  const pages = { 'Sign in': 'sign-in', 'Allow access?': 'consent', 'Connect a device': 'device-entry', 'Confirm the device': 'device-confirm', 'Device connected': 'device-connected' };
  return pages[heading] ?? 'unexpected';
}

async function describe(page) {
  const alert = page.getByRole('alert');
  const detail = (await alert.count()) > 0 ? `: ${(await alert.first().innerText()).trim()}` : '';
  return `"${await page.title()}" at ${where(page.url())}${detail}`;
}

/** Clicks a button and waits for the page the form post leads to. */
async function submit(page, name) {
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name, exact: true }).click()]);
}

async function run(url) {
  const username = env.AUTH_SERVER_TEST_USERNAME || 'demo';
  const password = env.AUTH_SERVER_TEST_PASSWORD;
  if (!password) throw new Error('AUTH_SERVER_TEST_PASSWORD is not set');
  const artifacts = env.AUTH_SERVER_TEST_ARTIFACTS;
  const prefix = env.AUTH_SERVER_TEST_ARTIFACT_PREFIX || `browser-${process.pid}`;
  if (artifacts) mkdirSync(artifacts, { recursive: true });
  const redirectUri = new URL(url).searchParams.get('redirect_uri');

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
  try {
    const context = await browser.newContext();
    // The issuer and the callback are on loopback; nothing else may be reached.
    await context.route((target) => target.hostname !== '127.0.0.1', (route) => route.abort());
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    await page.goto(url);

    let signedIn = false;
    for (let step = 1; step <= MAX_PAGES; step += 1) {
      await page.waitForLoadState('load');
      const kind = await classify(page, redirectUri);
      log(`page ${step} ${kind} ${where(page.url())}`);
      if (artifacts) await page.screenshot({ path: join(artifacts, `${prefix}-${String(step).padStart(2, '0')}-${kind}.png`), fullPage: true });
      switch (kind) {
        case 'callback':
        case 'device-connected':
          return kind;
        case 'code':
          process.stdout.write(`${await page.getByLabel('Authorization code').inputValue()}\n`);
          return kind;
        case 'sign-in':
          if (signedIn) throw new Error(`sign-in as ${username} was refused: ${await describe(page)}`);
          signedIn = true;
          await page.getByLabel('Username').fill(username);
          await page.getByLabel('Password').fill(password);
          await submit(page, 'Sign in');
          break;
        case 'consent':
          await submit(page, 'Allow');
          break;
        case 'device-entry':
          if (!env.AUTH_SERVER_TEST_USER_CODE) throw new Error('the device page asks for a code: set AUTH_SERVER_TEST_USER_CODE');
          await page.getByLabel('Device code').fill(env.AUTH_SERVER_TEST_USER_CODE);
          await submit(page, 'Continue');
          break;
        case 'device-confirm':
          await submit(page, 'Approve');
          break;
        default:
          throw new Error(`unexpected page ${await describe(page)}`);
      }
    }
    throw new Error(`sign-in did not end within ${MAX_PAGES} pages`);
  } finally {
    await browser.close();
  }
}

const args = process.argv.slice(2);
if (args.length !== 1 || !URL.canParse(args[0])) {
  process.stderr.write('usage: authctl-browser.mjs <url>\n');
  process.exit(2);
}
setTimeout(() => {
  log('failed: gave up after 60 s');
  process.stderr.write('authctl-browser: gave up after 60 s\n');
  process.exit(1);
}, OVERALL_TIMEOUT_MS).unref();
try {
  log(`done ${await run(args[0])}`);
} catch (error) {
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  log(`failed: ${reason}`);
  process.stderr.write(`authctl-browser: ${reason}\n`);
  process.exitCode = 1;
}
