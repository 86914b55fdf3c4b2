import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startForwardProxy, startTestIdP, type ForwardProxy, type TestIdP } from '@auth/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFetch } from '../../src/http/create-fetch.js';
import { rejectedAuthError } from '../stores/helpers.js';
import { startPrivateCaIdP, type PrivateCaIdP } from './support.js';

let dir: string;
let secure: PrivateCaIdP;
let plain: TestIdP;
let proxy: ForwardProxy;
let other: ForwardProxy;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'authctl-core-proxy-'));
  [secure, plain, proxy, other] = await Promise.all([startPrivateCaIdP(dir, 'idp'), startTestIdP(), startForwardProxy(), startForwardProxy()]);
});
afterAll(async () => {
  await Promise.all([secure?.idp.close(), plain?.close(), proxy?.close(), other?.close()]);
  await rm(dir, { recursive: true, force: true });
});

let seenBefore: number;
let otherBefore: number;
beforeEach(() => {
  seenBefore = proxy.requests().length;
  otherBefore = other.requests().length;
});
const newRequests = (through: ForwardProxy = proxy) => through.requests().slice(through === proxy ? seenBefore : otherBefore);

const httpsUrl = () => `${secure.idp.issuer}/.well-known/openid-configuration`;
const httpUrl = () => `${plain.issuer}/.well-known/openid-configuration`;
const hostOf = (url: string) => new URL(url).host;

async function get(env: NodeJS.ProcessEnv, url: string): Promise<number> {
  const response = await createFetch({ caFile: secure.caFile, env })(url);
  await response.body?.cancel();
  return response.status;
}

describe('createFetch: HTTPS_PROXY, HTTP_PROXY, NO_PROXY', () => {
  it('HTTPS_PROXY: an https request is tunnelled through the proxy with CONNECT, end-to-end TLS still checked against ca_file', async () => {
    expect(await get({ HTTPS_PROXY: proxy.url }, httpsUrl())).toBe(200);
    expect(newRequests()).toEqual([{ method: 'CONNECT', target: hostOf(httpsUrl()) }]);
  });

  it('HTTP_PROXY: an http request is forwarded to the proxy as an absolute URI', async () => {
    expect(await get({ HTTP_PROXY: proxy.url }, httpUrl())).toBe(200);
    expect(newRequests()).toEqual([{ method: 'GET', target: httpUrl() }]);
  });

  it('NO_PROXY naming the host (or `*`) sends the request direct', async () => {
    const ports = `127.0.0.1:${new URL(httpsUrl()).port} 127.0.0.1:${new URL(httpUrl()).port}`;
    for (const noProxy of ['idp.example.com,127.0.0.1', ports, '*']) {
      expect(await get({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: noProxy }, httpsUrl())).toBe(200);
      expect(await get({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, no_proxy: noProxy }, httpUrl())).toBe(200);
    }
    expect(newRequests()).toEqual([]);
  });

  it('a NO_PROXY entry for another port of the host does not exempt it', async () => {
    expect(await get({ HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1:1' }, httpsUrl())).toBe(200);
    expect(newRequests()).toHaveLength(1);
  });

  it('as in curl, the lowercase variable wins over the uppercase one', async () => {
    expect(await get({ https_proxy: other.url, HTTPS_PROXY: proxy.url }, httpsUrl())).toBe(200);
    expect(newRequests(other)).toHaveLength(1);
    expect(newRequests()).toEqual([]);
  });

  it('as in curl, an https URL does not fall back to HTTP_PROXY, nor an http URL to HTTPS_PROXY', async () => {
    expect(await get({ HTTP_PROXY: proxy.url }, httpsUrl())).toBe(200);
    expect(await get({ HTTPS_PROXY: proxy.url }, httpUrl())).toBe(200);
    expect(newRequests()).toEqual([]);
  });

  it('a proxy given without a scheme is http://', async () => {
    expect(await get({ HTTPS_PROXY: new URL(proxy.url).host }, httpsUrl())).toBe(200);
    expect(newRequests()).toHaveLength(1);
  });

  it('a malformed proxy variable is CONFIG_INVALID naming the variable, never echoing its value', async () => {
    const error = await rejectedAuthError(Promise.resolve().then(() => createFetch({ env: { HTTPS_PROXY: 'http://user:s3cret@[::1' } })));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe('The proxy in HTTPS_PROXY is not a URL');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('s3cret');

    const socks = await rejectedAuthError(Promise.resolve().then(() => createFetch({ env: { https_proxy: 'socks5://127.0.0.1:1080' } })));
    expect(socks.message).toBe('The proxy in https_proxy uses socks5://, but only http:// and https:// proxies are supported');
  });
});
