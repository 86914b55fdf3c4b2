import { describe, expect, test } from 'vitest';
import { CODE_PAGE_PATH } from '../src/index.js';
import { formOf, HttpUser } from './support/http-user.js';
import { authorizationRequest } from './support/oauth-client.js';
import { useTestServer } from './support/test-server.js';

const t = useTestServer();

/** A user with a live interaction: the sign-in page and its form. */
async function atSignInPage() {
  const user = new HttpUser();
  const request = await authorizationRequest(t.as, 'http://127.0.0.1:1/callback');
  const page = await user.follow(request.url.href);
  expect(page.html).toContain('name="password"');
  return { user, page, form: formOf(page) };
}

describe('form posts', () => {
  test('a sign-in form larger than the limit is refused with 413 and a page', async () => {
    const { user, form } = await atSignInPage();
    const res = await user.request(form.action, { form: { ...form.fields, username: 'demo', password: 'x'.repeat(20_000) } });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('Form too large');
  });

  test('a body over 56 KiB to the token endpoint is refused with 413 before it is read', async () => {
    const res = await fetch(t.as.token_endpoint!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: `grant_type=client_credentials&pad=${'x'.repeat(60 * 1024)}`,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });

  test('a form in the wrong content type is refused with 415, and a repeated field with 400', async () => {
    const { user, form } = await atSignInPage();
    const json = await user.request(form.action, { body: JSON.stringify({ username: 'demo' }), headers: { 'content-type': 'application/json' } });
    expect(json.status).toBe(415);
    const repeated = await user.request(form.action, {
      body: `${new URLSearchParams(form.fields)}&username=a&username=b&password=x`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(repeated.status).toBe(400);
    expect(await repeated.text()).toContain('is missing or repeated');
  });

  test('malformed percent-encoding in a form is a 4xx, never a crash', async () => {
    const { user, form } = await atSignInPage();
    const res = await user.request(form.action, {
      body: `csrf=${encodeURIComponent(form.fields.csrf!)}&username=%E0%A4%A&password=%ZZ`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBeLessThan(500);
    expect((await fetch(`${t.server.issuer}/healthz`)).status).toBe(200);
  });

  test('a wrong CSRF token is refused with the 403 page and does not sign in', async () => {
    const { user, form } = await atSignInPage();
    const res = await user.request(form.action, { form: { csrf: 'forged', username: 'demo', password: 'anything' } });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Form expired');
  });

  test('a device-code form with a wrong xsrf token is refused with 403', async () => {
    const user = new HttpUser();
    const entry = await user.follow(`${t.server.issuer}/device`);
    expect(formOf(entry).fields.xsrf).toBeTruthy();
    const res = await user.request(formOf(entry).action, { form: { xsrf: 'forged', user_code: 'BCDF-GHJK' } });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('This form expired');
  });

  test('a form posted without the interaction cookie (cross-site) is a 4xx page', async () => {
    const { form } = await atSignInPage();
    const stranger = new HttpUser();
    const res = await stranger.request(form.action, { form: { ...form.fields, username: 'demo', password: 'x' } });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Sign-in expired');
  });
});

describe('authorization requests', () => {
  test('an unknown client gets a 400 page', async () => {
    const url = new URL(t.as.authorization_endpoint!);
    url.search = new URLSearchParams({ client_id: 'nobody', response_type: 'code', redirect_uri: 'http://127.0.0.1:1/callback' }).toString();
    const res = await new HttpUser().request(url.href);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Unknown application');
  });

  test('a redirect URI that is not registered gets a 400 page and no redirect', async () => {
    const request = await authorizationRequest(t.as, 'https://attacker.example/steal');
    const res = await new HttpUser().request(request.url.href);
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('Redirect address not registered');
  });

  test('the code page escapes what it shows (no XSS) and refuses an address without a code', async () => {
    const res = await fetch(`${t.server.issuer}${CODE_PAGE_PATH}?code=${encodeURIComponent('"><script>alert(1)</script>')}&state=%3Cb%3E`);
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).not.toContain('<script>alert(1)');
    expect(body).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(body).not.toContain('<b>');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect((await fetch(`${t.server.issuer}${CODE_PAGE_PATH}`)).status).toBe(400);
  });

  test('an unknown interaction and a malformed path are 4xx pages', async () => {
    expect((await new HttpUser().request(`${t.server.issuer}/interaction/does-not-exist`)).status).toBe(400);
    expect((await fetch(`${t.server.issuer}/interaction/%E0%A4%A`)).status).toBeLessThan(500);
  });
});
