import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKapacitorDouble, type KapacitorDouble } from '../src/doubles/kapacitor-double.js';

let kapacitor: KapacitorDouble;
beforeAll(async () => {
  kapacitor = await startKapacitorDouble({ users: { johndoe: 'pa:ss word' } });
});
afterAll(() => kapacitor.close());

const basic = (userPass: string) => ({ authorization: `Basic ${Buffer.from(userPass).toString('base64')}` });
const ping = (init: RequestInit = {}, query = '') => fetch(`${kapacitor.url}/kapacitor/v1/ping${query}`, init);

describe('Kapacitor double: GET /kapacitor/v1/ping behind Kapacitor authentication (services/httpd/handler.go)', () => {
  it('right Basic credentials: 204 with X-Kapacitor-Version; the password may hold a colon (the user-id ends at the first)', async () => {
    const response = await ping({ headers: basic('johndoe:pa:ss word') });
    expect(response.status).toBe(204);
    expect(response.headers.get('x-kapacitor-version')).toBe('1.8.3');
    expect(kapacitor.requests.at(-1)?.credentials).toEqual({ username: 'johndoe', password: 'pa:ss word' });
  });

  it('HttpError bodies: 401 authorization failed, username required, unable to parse authentication credentials, as compact JSON', async () => {
    for (const [init, message] of [
      [{ headers: basic('johndoe:wrong') }, 'authorization failed'],
      [{ headers: basic(':pa:ss word') }, 'username required'],
      [{}, 'unable to parse authentication credentials'],
    ] as const) {
      const response = await ping(init);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await response.text()).toBe(JSON.stringify({ error: message, message }));
    }
  });

  it('u and p query parameters are the fallback; a changed password takes effect at once', async () => {
    expect((await ping({}, '?u=johndoe&p=pa%3Ass%20word')).status).toBe(204);
    kapacitor.setPassword('johndoe', 'new');
    expect((await ping({ headers: basic('johndoe:pa:ss word') })).status).toBe(401);
    expect((await ping({ headers: basic('johndoe:new') })).status).toBe(204);
  });
});
