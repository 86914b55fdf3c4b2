import { AuthError, boundedFetch, type ProviderIO } from '@auth/core';
import { startKapacitorDouble, type KapacitorDouble } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkKapacitorCredentials } from '../../src/client/ping.js';

let kapacitor: KapacitorDouble;
beforeAll(async () => {
  kapacitor = await startKapacitorDouble({ users: { johndoe: 'Pa5sw0Rd', 'ann@example.com': 'p:a@s/s%w o#rd' } });
});
afterAll(() => kapacitor.close());

function io(timeoutMs = 5000): ProviderIO {
  return { fetch: boundedFetch(fetch, { timeoutMs }), signal: new AbortController().signal, timeoutMs, allowInsecureHttp: true, env: {} };
}

const basic = (username: string, password: string) => ({ kind: 'basic' as const, username, password });

describe('checking Kapacitor credentials with GET /kapacitor/v1/ping', () => {
  it('204: accepted, sent as Basic credentials (a password with `:`, `@`, `/`, `%` and spaces arrives whole)', async () => {
    await checkKapacitorCredentials({ url: kapacitor.url }, basic('ann@example.com', 'p:a@s/s%w o#rd'), io());
    expect(kapacitor.requests.at(-1)).toEqual({
      method: 'GET',
      path: '/kapacitor/v1/ping',
      credentials: { username: 'ann@example.com', password: 'p:a@s/s%w o#rd' },
    });
  });

  it('401: INVALID_CREDENTIALS quoting Kapacitor ("authorization failed") and naming the URL, never the password', async () => {
    const refused = await checkKapacitorCredentials({ url: kapacitor.url }, basic('johndoe', 'wrong-secret'), io()).catch((error: unknown) => error);
    expect(AuthError.is(refused)).toBe(true);
    expect(refused).toMatchObject({ code: 'INVALID_CREDENTIALS', details: { url: `${kapacitor.url}/kapacitor/v1/ping`, status: 401 } });
    expect((refused as AuthError).message).toBe(`Kapacitor at ${kapacitor.url}/kapacitor/v1/ping refused the credentials of johndoe: authorization failed`);
    expect(JSON.stringify({ ...(refused as AuthError), message: (refused as AuthError).message })).not.toContain('wrong-secret');
  });

  it('a server that is not Kapacitor (404 on the ping path): PROTOCOL, with a hint about `url`', async () => {
    const refused = await checkKapacitorCredentials({ url: kapacitor.url }, basic('johndoe', 'Pa5sw0Rd'), {
      ...io(),
      fetch: boundedFetch((input, init) => fetch(String(input).replace('/ping', '/pong'), init), { timeoutMs: 5000 }),
    }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'PROTOCOL', details: { status: 404 } });
    expect((refused as AuthError).hint).toContain('`url`');
  });

  it('nothing listening: NETWORK (exit 5), naming the URL', async () => {
    const gone = await startKapacitorDouble({ users: {} });
    await gone.close();
    const refused = await checkKapacitorCredentials({ url: gone.url }, basic('johndoe', 'Pa5sw0Rd'), io()).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'NETWORK' });
    expect((refused as AuthError).message).toContain(gone.url);
  });
});
