import { request as httpRequest } from 'node:http';
import { get as httpsGet, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestCA, startForwardProxy, startTestIdP, type ForwardProxy, type TestCA, type TestIdP } from '../src/index.js';

let ca: TestCA;
let secure: TestIdP;
let plain: TestIdP;
let proxy: ForwardProxy;
beforeAll(async () => {
  ca = await createTestCA();
  [secure, plain, proxy] = await Promise.all([startTestIdP({ tls: { key: ca.key, cert: ca.cert } }), startTestIdP(), startForwardProxy()]);
});
afterAll(() => Promise.all([secure?.close(), plain?.close(), proxy?.close()]));

/** GET over https trusting exactly `trusted`; the status and the JSON body. */
function getTrusting(url: string, trusted: string): Promise<{ status: number; body: { issuer?: string } }> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca: trusted }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk)).on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    }).on('error', reject);
  });
}

describe('tls option and createTestCA', () => {
  test('the IdP serves https for 127.0.0.1 with a certificate that only the test CA makes trusted', async () => {
    expect(secure.issuer).toBe(`https://127.0.0.1:${secure.port}`);
    const discovery = `${secure.issuer}/.well-known/openid-configuration`;
    const { status, body } = await getTrusting(discovery, ca.ca);
    expect(status).toBe(200);
    expect(body.issuer).toBe(secure.issuer);
    await expect(fetch(discovery)).rejects.toMatchObject({ cause: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } });
  });

  test('every CA is new: one CA does not vouch for another CA’s server', async () => {
    const other = await createTestCA();
    await expect(getTrusting(`${secure.issuer}/.well-known/openid-configuration`, other.ca)).rejects.toMatchObject({
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
  });
});

describe('startForwardProxy', () => {
  test('forwards an absolute-URI http request and records it', async () => {
    const target = `${plain.issuer}/.well-known/openid-configuration`;
    const proxyUrl = new URL(proxy.url);
    const status = await new Promise<number>((resolve, reject) => {
      httpRequest({ host: proxyUrl.hostname, port: proxyUrl.port, path: target }, (res) => {
        res.resume().on('end', () => resolve(res.statusCode ?? 0));
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(200);
    expect(proxy.requests()).toContainEqual({ method: 'GET', target });
  });

  test('tunnels https with CONNECT (TLS end to end with the IdP) and records it', async () => {
    const target = new URL(secure.issuer).host;
    const proxyUrl = new URL(proxy.url);
    const tunnel = await new Promise<Socket>((resolve, reject) => {
      httpRequest({ host: proxyUrl.hostname, port: proxyUrl.port, method: 'CONNECT', path: target })
        .on('connect', (res, socket) => (res.statusCode === 200 ? resolve(socket) : reject(new Error(`CONNECT answered ${res.statusCode}`))))
        .on('error', reject)
        .end();
    });
    const status = await new Promise<number>((resolve, reject) => {
      httpsRequest(
        `${secure.issuer}/.well-known/openid-configuration`,
        { ca: ca.ca, agent: false, createConnection: () => connect({ socket: tunnel, ca: ca.ca, servername: '' }) },
        (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0)),
      )
        .on('error', reject)
        .end();
    });
    expect(status).toBe(200);
    expect(proxy.requests()).toContainEqual({ method: 'CONNECT', target });
  });
});
