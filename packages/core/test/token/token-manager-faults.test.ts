import { HOSTILE_TOKEN_ANSWERS as ANSWERS, startAnswering, startSocketDestroyer, startTestIdP, type HostileServer, type TestIdP } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/errors.js';
import type { CredentialStore } from '../../src/contracts/v1/credential-store.js';
import { login } from '../../src/session/login.js';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { getToken } from '../../src/token/token-manager.js';
import { tokenKey, type OAuthCredential } from '../../src/token-set.js';
import { sessionFor } from '../flows/support/session.js';
let idp: TestIdP;
const servers: Record<string, HostileServer> = {};
beforeAll(async () => {
  idp = await startTestIdP();
  for (const [name, answer] of Object.entries(ANSWERS)) servers[name] = await startAnswering((_request, response) => answer(response));
  servers['a server that accepts the connection and drops it'] = await startSocketDestroyer();
});
afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.close()));
  await idp.close();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);
const inRefreshWindow = () => nowSeconds() + 3590;
const afterExpiry = () => nowSeconds() + 7200;
const profile = () => ({ issuer: idp.issuer, client_id: 'authctl', flow: 'password', timeout: 2 });
const bob = { password: async () => ({ username: 'bob', password: 'bob-password' }) };

/** Logged in at the real IdP, then pointed at `tokenUrl` for refreshes. */
async function loggedInAgainst(tokenUrl: string): Promise<{ store: CredentialStore; credential: OAuthCredential }> {
  const store = createMemoryStore();
  const credential = await login(sessionFor(profile(), { store, secrets: bob }));
  const moved = { ...credential, server: { token_endpoint: tokenUrl } };
  await store.set(tokenKey('dev'), moved);
  return { store, credential: moved };
}

describe('getToken when the refresh fails', () => {
  for (const failure of [...Object.keys(ANSWERS), 'a server that accepts the connection and drops it']) {
    it(`${failure}: a still-valid cached token is returned inside the refresh window; once expired, an error naming the token URL`, async () => {
      const tokenUrl = `${servers[failure]!.url}/token`;
      const { store, credential } = await loggedInAgainst(tokenUrl);

      expect(await getToken(sessionFor(profile(), { store, now: inRefreshWindow }))).toEqual(credential.tokens);

      const error = await getToken(sessionFor(profile(), { store, now: afterExpiry })).catch((e: unknown) => e);
      expect(error).toMatchObject({ message: expect.stringContaining(tokenUrl), details: { url: tokenUrl } });
      expect(exitCodeFor(error)).toBe(5);
      expect(String((error as Error).message)).not.toContain('X-Injected');
    });
  }
});

describe('login when the token endpoint answers with a token that could inject text', () => {
  for (const failure of ['an access token with CR LF and a header after it', 'a token type with a space in it']) {
    it(`${failure}: PROTOCOL naming the token URL (exit 5), nothing stored, the token never in the message`, async () => {
      const tokenUrl = `${servers[failure]!.url}/token`;
      const store = createMemoryStore();

      const error = await login(sessionFor({ token_url: tokenUrl, client_id: 'authctl', flow: 'password' }, { store, secrets: bob })).catch(
        (e: unknown) => e,
      );

      expect(error).toMatchObject({ code: 'PROTOCOL', details: { url: tokenUrl } });
      expect(exitCodeFor(error)).toBe(5);
      expect(String((error as Error).message)).not.toMatch(/abc|X-Injected/);
      expect(await store.list()).toEqual([]);
    });
  }
});
