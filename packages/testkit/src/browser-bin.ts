#!/usr/bin/env node
// A BROWSER for tests: `browser-bin <url>` drives Debian chromium through the
// sign-in, consent and device pages of the test IdP or of a real Keycloak
// until it lands on the loopback callback, the device flow's success page, or
// Keycloak's out-of-band code page (whose code it prints on stdout). Exit 0 on
// success, 1 with the reason on stderr otherwise, 2 on bad usage.
//
// Environment: AUTHKIT_TEST_USERNAME / AUTHKIT_TEST_PASSWORD (default alice /
// alice-password), AUTHKIT_TEST_ARTIFACTS (a folder for one screenshot per
// page), AUTHKIT_TEST_BROWSER_LOG (a file that gets one line per step).
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { chromiumPath } from './chromium.js';

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const STEP_TIMEOUT_MS = 15_000;
const OVERALL_TIMEOUT_MS = 60_000;
const MAX_STEPS = 12;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

type PageKind =
  | 'callback'
  | 'login'
  | 'consent'
  | 'device-confirm'
  | 'auto-submit'
  | 'signed-in'
  | 'keycloak-login'
  | 'keycloak-consent'
  | 'keycloak-device-code'
  | 'keycloak-code'
  | 'keycloak-info'
  | 'unexpected';

function log(line: string): void {
  const file = process.env['AUTHKIT_TEST_BROWSER_LOG'];
  if (file) appendFileSync(file, `${new Date().toISOString()} ${line}\n`);
}

/** Origin and path only: the query may hold an authorization code or state. */
function where(url: string): string {
  const parsed = URL.parse(url);
  return parsed ? `${parsed.origin}${parsed.pathname}` : url;
}

async function classify(page: Page, redirectUri: string | null): Promise<PageKind> {
  if (redirectUri && page.url().startsWith(redirectUri)) return 'callback';
  const present = async (selector: string): Promise<boolean> => (await page.locator(selector).count()) > 0;
  if (await present('form[id="login"]')) return 'login';
  if (await present('form[id="consent"]')) return 'consent';
  if (await present('form[id="op.deviceConfirmForm"]')) return 'device-confirm';
  if ((await page.title()) === 'Sign-in Success') return 'signed-in';
  // Keycloak's login theme (keycloak.v2, checked with 26.7): its element ids and button names.
  if (await present('form#kc-form-login')) return 'keycloak-login';
  if (await present('form button#kc-login[name="accept"]')) return 'keycloak-consent';
  if (await present('form#kc-user-verify-device-user-code-form')) return 'keycloak-device-code';
  if (await present('input#code')) return 'keycloak-code';
  if (await present('#kc-info-message')) return 'keycloak-info';
  // Keycloak's consent form has no id and a hidden input too: test for it first.
  if (await present('form:not([id]) input[type="hidden"]')) return 'auto-submit';
  return 'unexpected';
}

async function describe(page: Page): Promise<string> {
  const alert = page.locator('[role=alert]');
  const detail = (await alert.count()) > 0 ? `: ${(await alert.first().innerText()).trim()}` : '';
  return `"${await page.title()}" at ${where(page.url())}${detail}`;
}

/** Runs `action` and waits for the page it leads to. */
async function andWaitForLoad(page: Page, action: () => Promise<void>): Promise<void> {
  const loaded = page.waitForEvent('load');
  await action();
  await loaded;
}

async function run(url: string): Promise<void> {
  const username = process.env['AUTHKIT_TEST_USERNAME'] ?? 'alice';
  const password = process.env['AUTHKIT_TEST_PASSWORD'] ?? 'alice-password';
  const artifacts = process.env['AUTHKIT_TEST_ARTIFACTS'];
  if (artifacts) mkdirSync(artifacts, { recursive: true });
  const redirectUri = new URL(url).searchParams.get('redirect_uri');

  log(`launch ${chromiumPath()} for ${where(url)}`);
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: LAUNCH_ARGS });
  try {
    const context = await browser.newContext();
    // Only loopback traffic: the IdP and the callback are local, nothing else may be reached.
    await context.route((u) => !LOOPBACK_HOSTS.has(u.hostname), (route) => route.abort());
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    await page.goto(url);

    let signedIn = false;
    for (let step = 1; step <= MAX_STEPS; step += 1) {
      await page.waitForLoadState('load');
      const kind = await classify(page, redirectUri);
      log(`step ${step} ${kind} ${where(page.url())}`);
      if (artifacts) {
        await page.screenshot({ path: join(artifacts, `browser-${process.pid}-${String(step).padStart(2, '0')}-${kind}.png`), fullPage: true });
      }
      switch (kind) {
        case 'callback':
        case 'signed-in':
          return;
        case 'login':
          if (signedIn) throw new Error(`sign-in as ${username} was refused: ${await describe(page)}`);
          signedIn = true;
          await page.getByLabel('Username').fill(username);
          await page.getByLabel('Password').fill(password);
          await andWaitForLoad(page, () => page.getByRole('button', { name: 'Sign-in' }).click());
          break;
        case 'keycloak-login':
          if (signedIn) throw new Error(`sign-in as ${username} was refused: ${await describe(page)}`);
          signedIn = true;
          await page.locator('#username').fill(username);
          await page.locator('#password').fill(password);
          await andWaitForLoad(page, () => page.locator('#kc-login').click());
          break;
        case 'keycloak-consent':
          await andWaitForLoad(page, () => page.locator('#kc-login').click());
          break;
        case 'keycloak-device-code':
          // verification_uri_complete fills the code in; the person confirms it.
          await andWaitForLoad(page, () => page.locator('input[type=submit], button[type=submit]').first().click());
          break;
        case 'keycloak-code':
          // The out-of-band page (redirect_uri urn:ietf:wg:oauth:2.0:oob) shows the code for the person to copy.
          process.stdout.write(`${await page.locator('input#code').inputValue()}\n`);
          return;
        case 'keycloak-info': {
          // "Device Login Successful" heads the page the device flow ends on; other info pages report a failure.
          const heading = (await page.locator('#kc-page-title').innerText()).trim();
          if (!/success/i.test(heading)) throw new Error(`Keycloak says: ${heading}: ${(await page.locator('#kc-info-message').innerText()).trim()} (${await describe(page)})`);
          return;
        }
        case 'consent':
        case 'device-confirm':
          await andWaitForLoad(page, () => page.getByRole('button', { name: 'Continue' }).click());
          break;
        case 'auto-submit':
          // It submits itself on load; the next page may already be on its way.
          await page.locator('form:not([id]) input[type="hidden"]').first().waitFor({ state: 'detached' });
          break;
        case 'unexpected':
          throw new Error(`unexpected page ${await describe(page)}`);
      }
    }
    throw new Error(`did not reach ${redirectUri ? where(redirectUri) : 'the end of sign-in'} within ${MAX_STEPS} pages`);
  } finally {
    await browser.close();
  }
}

const args = process.argv.slice(2);
if (args.length !== 1 || !URL.canParse(args[0]!)) {
  process.stderr.write('usage: authkit-test-browser <url>\n');
  process.exit(2);
}
const guard = setTimeout(() => {
  process.stderr.write(`authkit-test-browser: gave up after ${OVERALL_TIMEOUT_MS / 1000} s\n`);
  log('failed: overall timeout');
  process.exit(1);
}, OVERALL_TIMEOUT_MS);
guard.unref();
try {
  await run(args[0]!);
  log('done');
} catch (err) {
  const reason = err instanceof Error ? err.message : String(err);
  log(`failed: ${reason.split('\n')[0]}`);
  process.stderr.write(`authkit-test-browser: ${reason}\n`);
  process.exitCode = 1;
}
