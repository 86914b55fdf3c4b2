import { startBlackhole, startForwardProxy, type ForwardProxy } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { test } from './support/fixtures.js';
import { useFileStore } from './support/sandbox-files.js';
import { usePrivateCaIdP } from './support/private-ca-idp.js';
import { configToml, idpProfile } from './support/profiles.js';
import type { Sandbox } from './support/sandbox.js';

const privateCa = usePrivateCaIdP();
let proxy: ForwardProxy;
beforeAll(async () => {
  proxy = await startForwardProxy();
});
afterAll(() => proxy?.close());

/** Every proxy variable set explicitly (an empty one counts as unset), so the machine's own settings play no part. */
function proxyEnv(vars: { HTTPS_PROXY?: string; HTTP_PROXY?: string; NO_PROXY?: string }, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    https_proxy: '',
    http_proxy: '',
    no_proxy: '',
    HTTPS_PROXY: vars.HTTPS_PROXY ?? '',
    HTTP_PROXY: vars.HTTP_PROXY ?? '',
    NO_PROXY: vars.NO_PROXY ?? '',
    ...extra,
  };
}

async function serviceAccountProfile(sandbox: Sandbox, issuer: string, extra: Record<string, unknown> = {}): Promise<void> {
  await useFileStore(sandbox, configToml({ dev: idpProfile(issuer, extra) }, 'dev'));
}

/** What the proxy received during `run`. */
async function throughProxy<T>(run: () => Promise<T>): Promise<{ result: T; requests: ReturnType<ForwardProxy['requests']> }> {
  const before = proxy.requests().length;
  const result = await run();
  return { result, requests: proxy.requests().slice(before) };
}

describe('HTTPS_PROXY, HTTP_PROXY and NO_PROXY', () => {
  test('HTTPS_PROXY: discovery and the token request of a login are tunnelled through the proxy (CONNECT)', async ({ sandbox }) => {
    await serviceAccountProfile(sandbox, privateCa.idp.issuer, { ca_file: privateCa.caFile });
    const env = proxyEnv({ HTTPS_PROXY: proxy.url }, { AUTHCTL_CLIENT_SECRET: privateCa.idp.clients.confidential.secret });
    const { result, requests } = await throughProxy(() => sandbox.run(['login', '--serviceaccount'], { env }));
    expect(result.code, result.stderr).toBe(0);
    // The IdP closes every connection, so each request opens its own tunnel.
    const target = new URL(privateCa.idp.issuer).host;
    expect(requests).toEqual([
      { method: 'CONNECT', target },
      { method: 'CONNECT', target },
    ]);
  });

  test('HTTP_PROXY: plain http requests go to the proxy as absolute URIs', async ({ idp, sandbox }) => {
    await serviceAccountProfile(sandbox, idp.issuer);
    const env = proxyEnv({ HTTP_PROXY: proxy.url }, { AUTHCTL_CLIENT_SECRET: idp.clients.confidential.secret });
    const { result, requests } = await throughProxy(() => sandbox.run(['login', '--serviceaccount'], { env }));
    expect(result.code, result.stderr).toBe(0);
    expect(requests).toEqual([
      { method: 'GET', target: `${idp.issuer}/.well-known/openid-configuration` },
      { method: 'POST', target: `${idp.issuer}/token` },
    ]);
  });

  test('NO_PROXY naming the IdP host: the login goes direct', async ({ idp, sandbox }) => {
    await serviceAccountProfile(sandbox, idp.issuer);
    const env = proxyEnv({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' }, {
      AUTHCTL_CLIENT_SECRET: idp.clients.confidential.secret,
    });
    const { result, requests } = await throughProxy(() => sandbox.run(['login', '--serviceaccount'], { env }));
    expect(result.code, result.stderr).toBe(0);
    expect(requests).toEqual([]);
  });

  test("the profile's per-request timeout still bounds a request through the proxy: TIMEOUT, exit 5", async ({ sandbox }) => {
    const blackhole = await startBlackhole();
    try {
      await serviceAccountProfile(sandbox, blackhole.url, { timeout: 1 });
      const env = proxyEnv({ HTTP_PROXY: proxy.url }, { AUTHCTL_CLIENT_SECRET: 'unused' });
      const { result, requests } = await throughProxy(() => sandbox.run(['login', '--serviceaccount'], { env, killAfterMs: 30_000 }));
      expect(result.code, result.stderr).toBe(5);
      expect(result.stderr).toContain(`No answer from ${blackhole.url}/.well-known/openid-configuration within 1 s`);
      expect(requests).toEqual([{ method: 'GET', target: `${blackhole.url}/.well-known/openid-configuration` }]);
    } finally {
      await blackhole.close();
    }
  });
});
