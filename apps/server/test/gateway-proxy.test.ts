import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCA, startBlackhole, startAnswering, startSocketDestroyer } from '@auth/testkit';
import { describe, expect, test } from 'vitest';
import type { Provider } from '@auth/core';
import { z } from 'zod';
import { sendRaw, startGatewayServer, statusOf, TEST_SECRET, useGateway } from './support/gateway-server.js';

const its = useGateway((upstream) => ({
  upstream: `${upstream}/base`,
  max_body_bytes: 1024 * 1024,
  routes: [
    { prefix: '/public', public: true },
    { prefix: '/api', provider: 'allow-all' },
    { prefix: '/kapacitor/v1', provider: 'test-token', auth: { secret_env: 'TEST_GATEWAY_SECRET' } },
  ],
}));

/** Promise.withResolvers, which Node 20 lacks. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** A request through node:http, its body written by the caller. */
function open(base: string, path: string, options: { method?: string; headers?: Record<string, string> } = {}) {
  const url = new URL(base);
  const req = httpRequest({ host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false });
  const response = once(req, 'response').then(([res]) => res as IncomingMessage);
  return { req, response };
}

describe('streaming', () => {
  test('the upstream gets the first chunk of a request body before the client has sent the last', async () => {
    const firstChunk = deferred();
    its.upstream.answer = (request, response) => {
      request.once('data', () => firstChunk.resolve());
      request.on('end', () => response.end('done'));
      request.resume();
    };
    const { req, response } = open(its.gateway.url, '/api/write', { method: 'POST', headers: { 'content-type': 'text/plain' } });
    req.write('first chunk;');
    await firstChunk.promise;
    // Only now is the last chunk sent: a buffering gateway would never have forwarded the first.
    req.end('last chunk');
    const res = await response;
    res.resume();
    expect(res.statusCode).toBe(200);
    await once(res, 'end');
    expect(its.upstream.requests[0]!.body).toBe('first chunk;last chunk');
  });

  test('the client gets the first chunk of a response body before the upstream has sent the last', async () => {
    const clientGotFirst = deferred();
    its.upstream.answer = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('first;');
      void clientGotFirst.promise.then(() => response.end('last'));
    };
    const { req, response } = open(its.gateway.url, '/api/stream');
    req.end();
    const res = await response;
    res.setEncoding('utf8');
    let body = '';
    res.on('data', (chunk: string) => {
      body += chunk;
      clientGotFirst.resolve();
    });
    await once(res, 'end');
    expect(body).toBe('first;last');
  });

  test('a body over max_body_bytes without a Content-Length is cut off at the limit with 413', async () => {
    its.upstream.answer = (request, response) => {
      request.resume();
      request.on('end', () => response.end('too late'));
    };
    const { req, response } = open(its.gateway.url, '/api/write', { method: 'POST' });
    req.on('error', () => {});
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let i = 0; i < 20; i++) req.write(chunk);
    req.end();
    expect((await response).statusCode).toBe(413);
  });

  test('a Content-Length over max_body_bytes is refused before the upstream is asked', async () => {
    const answer = await sendRaw(its.gateway.url, `POST /api/write HTTP/1.1\r\nHost: g\r\nContent-Length: ${2 * 1024 * 1024}\r\nConnection: close\r\n\r\n`);
    expect(statusOf(answer)).toBe(413);
    expect(its.upstream.requests).toEqual([]);
  });
});

describe('RFC 9110 §7.6.1: hop-by-hop headers are removed both ways', () => {
  test('the upstream never sees the client\'s hop-by-hop headers nor those its Connection names', async () => {
    const raw =
      'GET /public/h HTTP/1.1\r\nHost: its.gateway.test\r\nConnection: close, X-Secret-Hop\r\nKeep-Alive: timeout=5\r\nX-Secret-Hop: 1\r\n' +
      'Proxy-Authorization: Basic eDp5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\nTrailer: X-T\r\nUpgrade-Insecure-Requests: 1\r\nX-End-To-End: kept\r\n\r\n';
    expect(statusOf(await sendRaw(its.gateway.url, raw))).toBe(200);
    const headers = its.upstream.requests[0]!.headers;
    for (const name of ['x-secret-hop', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer']) expect(headers).not.toHaveProperty(name);
    expect(headers['x-end-to-end']).toBe('kept');
    expect(headers['upgrade-insecure-requests']).toBe('1');
  });

  test('the client never sees the upstream\'s hop-by-hop headers nor those its Connection names', async () => {
    its.upstream.answer = (_request, response) => {
      response.writeHead(200, {
        connection: 'keep-alive, X-Upstream-Hop',
        'keep-alive': 'timeout=99',
        'x-upstream-hop': 'secret',
        'proxy-authenticate': 'Basic realm="upstream"',
        upgrade: 'h2c',
        trailer: 'X-T',
        'x-end-to-end': 'kept',
      });
      response.end('ok');
    };
    const response = await fetch(`${its.gateway.url}/public/h`);
    expect(await response.text()).toBe('ok');
    for (const name of ['x-upstream-hop', 'proxy-authenticate', 'upgrade', 'trailer']) expect(response.headers.has(name)).toBe(false);
    expect(response.headers.get('keep-alive')).not.toBe('timeout=99');
    expect(response.headers.get('x-end-to-end')).toBe('kept');
  });

  test('X-Forwarded-For/-Proto/-Host are the gateway\'s, never the client\'s, and Host is the upstream\'s', async () => {
    await fetch(`${its.gateway.url}/public/f`, { headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-host': 'evil.test', forwarded: 'for=203.0.113.9' } });
    const headers = its.upstream.requests[0]!.headers;
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe(new URL(its.gateway.url).host);
    expect(headers.forwarded).toBeUndefined();
    expect(headers.host).toBe(new URL(its.upstream.url).host);
  });

  test('the upstream base URL\'s path is put in front of the forwarded path', async () => {
    await fetch(`${its.gateway.url}/public/x?a=1`);
    expect(its.upstream.requests[0]!.url).toBe('/base/public/x?a=1');
  });
});

describe('connections to the upstream', () => {
  test('sequential requests reuse one kept-alive upstream connection', async () => {
    for (let i = 0; i < 5; i++) expect((await fetch(`${its.gateway.url}/public/k${i}`)).status).toBe(200);
    expect(new Set(its.upstream.requests.map((r) => r.connection)).size).toBe(1);
  });

  test('the client going away aborts the upstream request', async () => {
    const upstreamClosed = deferred();
    const upstreamGot = deferred();
    its.upstream.answer = (request) => {
      upstreamGot.resolve();
      request.socket.once('close', () => upstreamClosed.resolve());
    };
    const url = new URL(its.gateway.url);
    const req = httpRequest({ host: url.hostname, port: url.port, path: '/api/slow', agent: false });
    req.on('error', () => {});
    req.end();
    await upstreamGot.promise;
    req.destroy();
    await upstreamClosed.promise;
    expect(its.gateway.logs()).toContain('"event":"gateway.client_gone"');
    expect((await fetch(`${its.gateway.url}/kapacitor/v1/after`)).status).toBe(401);
  });
});

describe('upstream failures: 502 and 504, and the gateway stays up', () => {
  test('an upstream that resets every connection gets 502', async () => {
    const destroyer = await startSocketDestroyer();
    const failing = await startGatewayServer({ upstream: destroyer.url, routes: [{ prefix: '/', public: true }] });
    try {
      const responses = await Promise.all(Array.from({ length: 10 }, () => fetch(`${failing.url}/x`)));
      expect(responses.map((r) => r.status)).toEqual(Array(10).fill(502));
      expect(failing.logs()).toContain('"event":"gateway.upstream_failed"');
    } finally {
      await failing.close();
      await destroyer.close();
    }
  });

  test('an upstream that accepts and never answers gets 504 after response_timeout_seconds', async () => {
    const blackhole = await startBlackhole();
    const failing = await startGatewayServer({ upstream: blackhole.url, response_timeout_seconds: 0.2, routes: [{ prefix: '/', public: true }] });
    try {
      const response = await fetch(`${failing.url}/x`);
      expect(response.status).toBe(504);
      expect(await response.json()).toEqual({ error: 'upstream did not answer in time' });
    } finally {
      await failing.close();
      await blackhole.close();
    }
  });

  test('an upstream that goes silent mid-body is cut off after idle_timeout_seconds, and so is the client\'s response', async () => {
    const silent = await startAnswering((_request, response) => {
      response.writeHead(200, { 'content-length': '1000' });
      response.write('partial');
    });
    const failing = await startGatewayServer({ upstream: silent.url, idle_timeout_seconds: 0.2, routes: [{ prefix: '/', public: true }] });
    try {
      const response = await fetch(`${failing.url}/x`);
      expect(response.status).toBe(200);
      await expect(response.text()).rejects.toThrow();
      expect(failing.logs()).toContain('"reason":"upstream connection idle too long"');
    } finally {
      await failing.close();
      await silent.close();
    }
  });

  test('an upstream that breaks off its response mid-body cuts the client\'s connection, and the next request is served', async () => {
    const hostile = await startAnswering((_request, response) => {
      response.writeHead(200, { 'content-length': '1000' });
      response.write('partial');
      setImmediate(() => response.socket?.destroy());
    });
    const failing = await startGatewayServer({ upstream: hostile.url, routes: [{ prefix: '/', public: true }] });
    try {
      const response = await fetch(`${failing.url}/x`);
      expect(response.status).toBe(200);
      await expect(response.text()).rejects.toThrow();
      expect(failing.logs()).toContain('"reason":"upstream response broke off"');
      const raw = await sendRaw(failing.url, 'GET /y HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n');
      expect(statusOf(raw)).toBe(200);
    } finally {
      await failing.close();
      await hostile.close();
    }
  });
});

describe('an https:// upstream', () => {
  test('is trusted through upstream_ca_file, and refused (502) without it', async () => {
    const ca = await createTestCA();
    const dir = await mkdtemp(join(tmpdir(), 'gateway-ca-'));
    const tls = createHttpsServer({ cert: ca.cert, key: ca.key }, (_request, response) => response.end('over tls'));
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
    await writeFile(join(dir, 'ca.pem'), ca.ca);
    const trusting = await startGatewayServer({ upstream: url, upstream_ca_file: join(dir, 'ca.pem'), routes: [{ prefix: '/', public: true }] });
    const untrusting = await startGatewayServer({ upstream: url, routes: [{ prefix: '/', public: true }] });
    try {
      const response = await fetch(`${trusting.url}/x`);
      expect(await response.text()).toBe('over tls');
      expect((await fetch(`${untrusting.url}/x`)).status).toBe(502);
    } finally {
      await trusting.close();
      await untrusting.close();
      tls.closeAllConnections();
      tls.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('decisions of a provider', () => {
  test('a denial is answered in the provider\'s words (status, headers, body verbatim) and never forwarded', async () => {
    const response = await fetch(`${its.gateway.url}/kapacitor/v1/tasks`, { headers: { authorization: 'Token wrong' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Token realm="test"');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('x-test-protocol')).toBe('yes');
    expect(await response.text()).toBe('{"error":"token required"}\n');
    expect(its.upstream.requests).toEqual([]);
  });

  test('a denial is logged once with the provider\'s reason, never with the credential', async () => {
    await fetch(`${its.gateway.url}/kapacitor/v1/denied-log`, { headers: { authorization: 'Token not-the-secret-42' } });
    const lines = its.gateway.logs().split('\n').filter((line) => line.includes('/kapacitor/v1/denied-log') && line.includes('"gateway.denied"'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: 'gateway.denied', route: '/kapacitor/v1', provider: 'test-token', status: 401, reason: 'wrong token' });
    expect(its.gateway.logs()).not.toContain('not-the-secret-42');
  });

  test('an allowed request is forwarded with the provider\'s header changes and without the query parameters it consumed', async () => {
    const response = await fetch(`${its.gateway.url}/kapacitor/v1/tasks?token=${TEST_SECRET}&limit=5&token=again`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(200);
    const seen = its.upstream.requests[0]!;
    expect(seen.url).toBe('/base/kapacitor/v1/tasks?limit=5');
    expect(seen.headers['x-test-user']).toBe('alice');
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.body).toBe('x');
    expect(its.gateway.logs()).not.toContain(TEST_SECRET);
  });

  test('a provider cannot set a hop-by-hop header on the forwarded request', async () => {
    await fetch(`${its.gateway.url}/kapacitor/v1/tasks`, { headers: { authorization: `Token ${TEST_SECRET}` } });
    const seen = its.upstream.requests[0]!;
    expect(seen.headers.connection).not.toBe('x-test-user');
    expect(seen.headers['transfer-encoding']).toBeUndefined();
    expect(seen.headers['x-test-user']).toBe('alice');
  });

  test('a provider\'s own refusal of a method keeps its status and headers', async () => {
    const response = await fetch(`${its.gateway.url}/kapacitor/v1/tasks`, { method: 'DELETE', headers: { authorization: `Token ${TEST_SECRET}` } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST');
  });

  test('an authenticator that throws gets 500 and the gateway keeps serving', async () => {
    const response = await fetch(`${its.gateway.url}/kapacitor/v1/tasks`, { headers: { authorization: `Token ${TEST_SECRET}`, 'x-test-throw': '1' } });
    expect(response.status).toBe(500);
    expect(its.upstream.requests).toEqual([]);
    expect((await fetch(`${its.gateway.url}/public/ok`)).status).toBe(200);
  });

  test('the request\'s signal aborts when the client goes away, and at the deadline, which is answered 504', async () => {
    const aborted: string[] = [];
    const waiting = deferred();
    /** Answers only when its request's signal aborts, as an authenticator waiting on a slow directory would. */
    const waitsForAbort: Provider = {
      specificationVersion: 'v1',
      id: 'waits',
      name: 'Waits',
      options: z.object({}),
      gateway: {
        specificationVersion: 'v1',
        configSchema: z.strictObject({}),
        createAuthenticator: async () => ({
          authenticate: ({ signal }) =>
            new Promise((_resolve, reject) => {
              waiting.resolve();
              signal.addEventListener('abort', () => {
                aborted.push((signal.reason as Error).message);
                reject(signal.reason);
              });
            }),
        }),
      },
    };
    const slow = await startGatewayServer({ upstream: 'http://127.0.0.1:1', response_timeout_seconds: 0.3, routes: [{ prefix: '/', provider: 'waits' }] }, [waitsForAbort]);
    try {
      const url = new URL(slow.url);
      const req = httpRequest({ host: url.hostname, port: url.port, path: '/x', agent: false });
      req.on('error', () => {});
      req.end();
      await waiting.promise;
      req.destroy();
      const timedOut = await fetch(`${slow.url}/y`);
      expect(timedOut.status).toBe(504);
      expect(aborted).toEqual(['client went away', 'authentication took too long']);
    } finally {
      await slow.close();
    }
  });

  test('a malformed Authorization header is the provider\'s to judge and never crashes the gateway', async () => {
    for (const value of ['Token', 'Token  ', 'Basic !!!', '\u00ff\u00fe', 'Bearer a.b.c'.repeat(500)]) {
      const raw = await sendRaw(its.gateway.url, Buffer.from(`GET /kapacitor/v1/tasks HTTP/1.1\r\nHost: g\r\nAuthorization: ${value}\r\nConnection: close\r\n\r\n`, 'latin1'));
      expect(statusOf(raw)).toBe(401);
    }
    expect(its.upstream.requests).toEqual([]);
  });
});
