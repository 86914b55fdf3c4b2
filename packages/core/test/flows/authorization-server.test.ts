import { createServer, type Server } from 'node:http';
import { startTestIdP, type TestIdP } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverAuthorizationServer } from '../../src/flows/authorization-server.js';
import { login } from '../../src/session/login.js';
import { getToken } from '../../src/token/token-manager.js';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { emitted, recordingInteraction } from './support/interaction.js';
import { countingFetch, sessionFor } from './support/session.js';

let idp: TestIdP;
beforeAll(async () => {
  idp = await startTestIdP({ deviceInterval: 1 });
});
afterAll(() => idp.close());

const io = () => ({ fetch, signal: new AbortController().signal, timeoutMs: 5000, allowInsecureHttp: true });

/** A real HTTP server on loopback answering `routes` (path -> JSON body), 404 otherwise. */
async function serveJson(routes: (origin: string) => Record<string, unknown>): Promise<{ origin: string; server: Server }> {
  const server = createServer((req, res) => {
    const body = routes(origin)[req.url ?? ''];
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? { error: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { origin, server };
}

describe('authorization server metadata', () => {
  it('OpenID Connect Discovery 1.0 §4: reads the issuer metadata', async () => {
    const server = await discoverAuthorizationServer(idp.issuer, io());

    expect(server.issuer).toBe(idp.issuer);
    expect(server.token_endpoint).toBe(`${idp.issuer}/token`);
    expect(server.device_authorization_endpoint).toBe(`${idp.issuer}/device/auth`);
  });

  it('RFC 8414 §3: falls back to /.well-known/oauth-authorization-server when OIDC discovery is 404', async () => {
    const { origin, server } = await serveJson((self) => ({
      '/.well-known/oauth-authorization-server': { issuer: self, token_endpoint: `${idp.issuer}/token` },
    }));
    try {
      const { fetch: counted, urls } = countingFetch();
      const metadata = await discoverAuthorizationServer(origin, { ...io(), fetch: counted });

      expect(metadata.token_endpoint).toBe(`${idp.issuer}/token`);
      expect(urls).toEqual([`${origin}/.well-known/openid-configuration`, `${origin}/.well-known/oauth-authorization-server`]);
    } finally {
      server.close();
    }
  });

  it('discovered endpoints are held to the loopback-only http:// rule before anything is sent to them', async () => {
    const { origin, server } = await serveJson((self) => ({
      '/.well-known/openid-configuration': { issuer: self, token_endpoint: 'http://idp.example.com/token' },
    }));
    try {
      const ctx = sessionFor({ issuer: origin, client_id: 'svc' }, { secrets: { clientSecret: async () => 'svc-secret' } });

      await expect(login(ctx, { flow: 'client-credentials' })).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining('http://idp.example.com/token'),
        details: { profile: 'dev', key: expect.stringContaining('token_url') },
      });
    } finally {
      server.close();
    }
  });

  it('explicit endpoints without an issuer (influxctl): device login and refresh work, unverifiable ID tokens are dropped', async () => {
    // localhost, not 127.0.0.1: the ID token's issuer is not the endpoints' origin, as with a real Keycloak realm.
    const base = idp.issuer.replace('127.0.0.1', 'localhost');
    const store = createMemoryStore();
    const person = recordingInteraction();
    const emit = person.interaction.emit;
    let approved: Promise<void> = Promise.resolve();
    person.interaction.emit = (event) => {
      emit(event);
      if (event.event === 'device_code') approved = idp.user.approveDevice(String(event.verification_uri), String(event.user_code));
    };
    const ctx = sessionFor(
      { client_id: 'authctl', flow: 'device', token_url: `${base}/token`, device_url: `${base}/device/auth`, revocation_url: `${base}/token/revocation` },
      { store, interaction: person.interaction },
    );

    const credential = await login(ctx);
    await approved;

    expect(emitted(person.steps, 'device_code')).toHaveLength(1);
    expect(credential.server).toEqual({ token_endpoint: `${base}/token`, revocation_endpoint: `${base}/token/revocation` });
    expect(credential.tokens.id_token).toBeUndefined();

    const later = Math.floor(Date.now() / 1000) + 7200;
    const refreshed = await getToken({ ...ctx, now: () => later });
    expect(refreshed.access_token).not.toBe(credential.tokens.access_token);
    expect(refreshed.refresh_token).not.toBe(credential.tokens.refresh_token);
  });

  it('a discovery document for another issuer is CONFIG_INVALID naming the discovery URL', async () => {
    const { origin, server } = await serveJson(() => ({
      '/.well-known/openid-configuration': { issuer: 'https://someone-else.example.com', token_endpoint: `${idp.issuer}/token` },
    }));
    try {
      await expect(discoverAuthorizationServer(origin, io())).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        details: { url: `${origin}/.well-known/openid-configuration` },
      });
    } finally {
      server.close();
    }
  });
});
