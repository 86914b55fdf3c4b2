import * as oauth from 'oauth4webapi';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CODE_PAGE_PATH, DEV_RESOURCE } from '../src/index.js';
import { launchChromium, newContext, screenshot } from './support/chromium.js';
import { startLoopbackCallback } from './support/loopback-callback.js';
import { authorizationRequest, cli, exchangeCode, insecure, verifyAccessToken } from './support/oauth-client.js';
import { DEMO_PASSWORD, useTestServer } from './support/test-server.js';

const t = useTestServer();
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function signIn(page: Page, password = DEMO_PASSWORD) {
  await page.getByLabel('Username').fill('demo');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('authorization code + PKCE in Debian chromium', () => {
  test('sign-in and consent pages complete the login, and the loopback callback code exchanges for a JWT access token', async () => {
    const loopback = await startLoopbackCallback();
    const { context, external } = await newContext(browser);
    try {
      const request = await authorizationRequest(t.as, loopback.redirectUri);
      const page = await context.newPage();
      await page.goto(request.url.href);
      await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
      await screenshot(page, 'sign-in');
      await signIn(page);
      await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
      await screenshot(page, 'consent');
      await page.getByRole('button', { name: 'Allow' }).click();

      const tokens = await exchangeCode(t.as, request, await loopback.callback);
      const { payload } = await verifyAccessToken(t.as, tokens.access_token, DEV_RESOURCE);
      expect(payload.sub).toBe('demo');
      expect(external).toEqual([]);
    } finally {
      await context.close();
      await loopback.close();
    }
  });

  test('a wrong password shows "Incorrect username or password" on the sign-in page and keeps the username', async () => {
    const { context } = await newContext(browser);
    try {
      const request = await authorizationRequest(t.as, 'http://127.0.0.1:1/callback');
      const page = await context.newPage();
      await page.goto(request.url.href);
      await signIn(page, 'wrong password');
      await expect(page.getByRole('alert').textContent()).resolves.toContain('Incorrect username or password');
      await expect(page.getByLabel('Username').inputValue()).resolves.toBe('demo');
      await screenshot(page, 'sign-in-error');
    } finally {
      await context.close();
    }
  });

  test('the pages work with JavaScript disabled, and keyboard focus is visible', async () => {
    const loopback = await startLoopbackCallback();
    const { context } = await newContext(browser, { javaScriptEnabled: false });
    try {
      const request = await authorizationRequest(t.as, loopback.redirectUri);
      const page = await context.newPage();
      await page.goto(request.url.href);
      await page.keyboard.press('Tab');
      const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle');
      expect(outline).toBe('solid');
      await signIn(page);
      await page.getByRole('button', { name: 'Allow' }).click();
      const callback = await loopback.callback;
      expect(callback.searchParams.get('code')).toBeTruthy();
    } finally {
      await context.close();
      await loopback.close();
    }
  });

  test('a form whose CSRF token was tampered with gets the 403 "Form expired" page', async () => {
    const { context } = await newContext(browser);
    try {
      const request = await authorizationRequest(t.as, 'http://127.0.0.1:1/callback');
      const page = await context.newPage();
      await page.goto(request.url.href);
      await page.locator('input[name=csrf]').evaluate((input: { value: string }) => {
        input.value = 'forged';
      });
      const response = page.waitForResponse((res) => res.request().method() === 'POST');
      await signIn(page);
      expect((await response).status()).toBe(403);
      await expect(page.getByRole('heading', { name: 'Form expired' }).isVisible()).resolves.toBe(true);
      await screenshot(page, 'csrf-rejected');
    } finally {
      await context.close();
    }
  });

  test('an unknown client gets a 400 error page, not a redirect', async () => {
    const { context } = await newContext(browser);
    try {
      const page = await context.newPage();
      const url = new URL(t.as.authorization_endpoint!);
      url.search = new URLSearchParams({ client_id: 'no-such-client', response_type: 'code', redirect_uri: 'http://127.0.0.1:1/callback', scope: 'openid' }).toString();
      const response = await page.goto(url.href);
      expect(response?.status()).toBe(400);
      await expect(page.getByRole('heading', { name: 'Unknown application' }).isVisible()).resolves.toBe(true);
      await screenshot(page, 'error-unknown-client');
    } finally {
      await context.close();
    }
  });
});

describe('paste-the-code page (authctl login --flow code)', () => {
  test('shows the authorization code with a copy button, and the code read off the page exchanges for tokens', async () => {
    const { context, external } = await newContext(browser);
    try {
      const redirectUri = `${t.server.issuer}${CODE_PAGE_PATH}`;
      const request = await authorizationRequest(t.as, redirectUri);
      const page = await context.newPage();
      await page.goto(request.url.href);
      await signIn(page);
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.getByRole('heading', { name: 'Signed in' }).waitFor();
      await expect(page.getByRole('button', { name: 'Copy code' }).isVisible()).resolves.toBe(true);
      await screenshot(page, 'code-page');

      const code = await page.getByLabel('Authorization code').inputValue();
      const state = await page.locator('#state').textContent();
      expect(state).toBe(request.state);
      const pasted = new URL(`${redirectUri}?${new URLSearchParams({ code, state: state!, iss: t.as.issuer })}`);
      const tokens = await exchangeCode(t.as, request, pasted);
      expect((await verifyAccessToken(t.as, tokens.access_token, DEV_RESOURCE)).payload.sub).toBe('demo');
      expect(external).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('device flow (RFC 8628) in Debian chromium', () => {
  async function startDevice() {
    return oauth.processDeviceAuthorizationResponse(
      t.as,
      cli,
      await oauth.deviceAuthorizationRequest(t.as, cli, oauth.None(), { scope: 'openid' }, insecure),
    );
  }
  const poll = async (deviceCode: string) =>
    oauth.processDeviceCodeResponse(t.as, cli, await oauth.deviceCodeGrantRequest(t.as, cli, oauth.None(), deviceCode, insecure));

  test('enter the code, approve the device, sign in and allow: the polling client gets a JWT access token', async () => {
    const device = await startDevice();
    const { context } = await newContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(device.verification_uri);
      await screenshot(page, 'device-entry');
      await page.getByLabel('Device code').fill(device.user_code);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Confirm the device' }).waitFor();
      await expect(page.locator('#user-code').textContent()).resolves.toBe(device.user_code);
      await screenshot(page, 'device-confirm');
      await page.getByRole('button', { name: 'Approve' }).click();
      await signIn(page);
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.getByRole('heading', { name: 'Device connected' }).waitFor();
      await screenshot(page, 'device-success');

      const tokens = await poll(device.device_code);
      expect((await verifyAccessToken(t.as, tokens.access_token, DEV_RESOURCE)).payload.sub).toBe('demo');
      expect(tokens.refresh_token).toBeTruthy();
    } finally {
      await context.close();
    }
  });

  test('denying the device shows the "Sign-in denied" page and the polling client gets access_denied', async () => {
    const device = await startDevice();
    const { context } = await newContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(device.verification_uri_complete!);
      await page.getByRole('button', { name: 'Deny' }).click();
      await page.getByRole('heading', { name: 'Sign-in denied' }).waitFor();
      await screenshot(page, 'device-denied');
      await expect(poll(device.device_code)).rejects.toMatchObject({ error: 'access_denied' });
    } finally {
      await context.close();
    }
  });

  test('a wrong device code shows an error on the entry page', async () => {
    const { context } = await newContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(`${t.server.issuer}/device`);
      await page.getByLabel('Device code').fill('BCDF-GHJK');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toContain('not valid');
      await screenshot(page, 'device-wrong-code');
    } finally {
      await context.close();
    }
  });
});
