import { createServer } from 'node:net';
import { startTestIdP, type TestIdP } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../../src/session/login.js';
import { recordingInteraction } from './support/interaction.js';
import { sessionFor } from './support/session.js';

let idp: TestIdP;
beforeAll(async () => {
  idp = await startTestIdP();
});
afterAll(() => idp.close());

const profile = (extra: Record<string, unknown> = {}) => ({ issuer: idp.issuer, client_id: 'authctl', flow: 'browser', ...extra });

/** A browser that the flow "opens": the person signs in, and the IdP's redirect is then delivered by `deliver`. */
function browserThat(deliver: (callbackUrl: string) => Promise<void>) {
  let done: Promise<void> = Promise.resolve();
  const recording = recordingInteraction({
    open(url) {
      const redirectUri = new URL(url).searchParams.get('redirect_uri') ?? '';
      done = idp.user.authorize(url, redirectUri).then(deliver);
      return true;
    },
  });
  return { ...recording, done: () => done };
}

describe('browser flow: authorization code + PKCE over a loopback redirect (RFC 8252)', () => {
  it('prints the URL and emits open_url before opening a browser, then logs in via the callback', async () => {
    let page: Response | undefined;
    const browser = browserThat(async (callback) => {
      page = await fetch(callback);
    });

    const credential = await login(sessionFor(profile(), { interaction: browser.interaction }));
    await browser.done();

    const kinds = browser.steps.map((step) => step.kind);
    const url = browser.steps.find((step) => step.kind === 'open')?.url ?? '';
    expect(kinds.indexOf('print')).toBeLessThan(kinds.indexOf('emit'));
    expect(kinds.indexOf('emit')).toBeLessThan(kinds.indexOf('open'));
    expect(browser.steps[0]).toEqual({ kind: 'print', message: expect.stringContaining(url) });
    expect(browser.steps[1]).toEqual({ kind: 'emit', event: { event: 'open_url', url } });
    const request = new URL(url).searchParams;
    expect(request.get('code_challenge_method')).toBe('S256');
    expect(request.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(request.get('state')).toBeTruthy();
    expect(request.get('nonce')).toBeTruthy();
    expect(page?.status).toBe(200);
    expect(await page?.text()).toContain('You can close this tab');
    expect(credential.subject).toBe('alice');
    expect(credential.tokens.refresh_token).toBeDefined();
  });

  it('a callback with a wrong or missing state gets a 400 page and the listener keeps waiting', async () => {
    const statuses: number[] = [];
    const browser = browserThat(async (callback) => {
      const forged = new URL(callback);
      forged.searchParams.set('state', 'forged');
      statuses.push((await fetch(forged)).status);
      const stateless = new URL(callback);
      stateless.searchParams.delete('state');
      statuses.push((await fetch(stateless)).status);
      statuses.push((await fetch(callback)).status);
    });

    const credential = await login(sessionFor(profile(), { interaction: browser.interaction }));
    await browser.done();

    expect(statuses).toEqual([400, 400, 200]);
    expect(credential.tokens.access_token).not.toBe('');
  });

  it('after the valid callback the listener is closed: a second callback is refused', async () => {
    let callbackUrl = '';
    const browser = browserThat(async (callback) => {
      callbackUrl = callback;
      await fetch(callback);
    });

    await login(sessionFor(profile(), { interaction: browser.interaction }));
    await browser.done();

    const second = await fetch(callbackUrl).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(TypeError);
    expect((second as Error & { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
  });

  it('an error= callback from the IdP ends the login with ACCESS_DENIED', async () => {
    let page: Response | undefined;
    // prompt=none without a session makes the IdP redirect back with error=login_required.
    const browser = browserThat(async (callback) => {
      page = await fetch(callback);
    });

    const failure = login(sessionFor(profile({ parameters: { prompt: 'none' } }), { interaction: browser.interaction }));

    await expect(failure).rejects.toMatchObject({ code: 'ACCESS_DENIED', details: { oauthError: 'login_required' } });
    await browser.done();
    expect(page?.status).toBe(403);
    expect(await page?.text()).toContain('Login failed');
  });

  it('with --no-browser prints and emits the URL but opens nothing', async () => {
    const { interaction, steps } = recordingInteraction();

    const failure = login(sessionFor(profile(), { interaction }), { options: { noBrowser: true, loginTimeoutMs: 200 } });

    await expect(failure).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(steps.map((step) => step.kind)).toEqual(['print', 'emit']);
  });

  it('gives up with TIMEOUT when nobody completes the login in time', async () => {
    const { interaction } = recordingInteraction({ open: () => true });

    const error = await login(sessionFor(profile(), { interaction }), { options: { loginTimeoutMs: 200 } }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'TIMEOUT', details: { hint: expect.stringContaining('authctl login --profile dev') } });
  });

  it('a fixed --port that is in use is a USAGE error naming the port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const { interaction } = recordingInteraction();
      const error = await login(sessionFor(profile(), { interaction }), { options: { port } }).catch((e: unknown) => e);

      expect(error).toMatchObject({ code: 'USAGE', message: expect.stringContaining(`port ${port}`) });
    } finally {
      taken.close();
    }
  });

  it('listens on the fixed port from the profile (redirect_port)', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const browser = browserThat(async (callback) => {
      await fetch(callback);
    });

    await login(sessionFor(profile({ redirect_port: port }), { interaction: browser.interaction }));
    await browser.done();

    const url = browser.steps.find((step) => step.kind === 'open')?.url ?? '';
    expect(new URL(url).searchParams.get('redirect_uri')).toBe(`http://127.0.0.1:${port}/callback`);
  });
});
