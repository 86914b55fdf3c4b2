import { describe, expect, test } from 'vitest';
import { askedPaths, sendRaw, statusOf, TEST_SECRET, useGateway } from './support/gateway-server.js';

/**
 * Everything here is refused before any provider sees it and never reaches
 * the upstream: a path the provider authorized must be the path the upstream
 * serves, so what two parsers could read differently is refused, with a 4xx.
 */

const its = useGateway((upstream) => ({
  upstream,
  routes: [
    { prefix: '/', public: true },
    { prefix: '/kapacitor/v1', provider: 'test-token', auth: { secret_env: 'TEST_GATEWAY_SECRET' } },
  ],
}));

const request = (target: string, headers = 'Host: its.gateway.test\r\n', method = 'GET') => `${method} ${target} HTTP/1.1\r\n${headers}Connection: close\r\n\r\n`;
const auth = `Host: its.gateway.test\r\nAuthorization: Token ${TEST_SECRET}\r\n`;

const UNCLEAN: Array<[string, string, number]> = [
  ['an empty segment', request('//kapacitor/v1/config', auth), 400],
  ['an empty segment inside', request('/kapacitor//v1/config', auth), 400],
  ['a .. segment back into the route', request('//kapacitor/v1/../v1/config', auth), 400],
  ['a .. segment out of the route', request('/kapacitor/v1/../../debug/vars', auth), 400],
  ['a . segment', request('/kapacitor/./v1/config', auth), 400],
  ['a trailing . segment', request('/kapacitor/v1/.', auth), 400],
  ['a segment ending in a dot', request('/kapacitor/v1/config./x', auth), 400],
  ['a trailing dot', request('/kapacitor/v1/config.', auth), 400],
  ['%2e%2e', request('/kapacitor/v1/%2e%2e/config', auth), 400],
  ['%2E upper case', request('/kapacitor/v1/%2E/config', auth), 400],
  ['an encoded slash %2f', request('/kapacitor%2fv1/config', auth), 400],
  ['an encoded slash %2F', request('/kapacitor/v1%2Fconfig', auth), 400],
  ['an encoded backslash %5c', request('/kapacitor/v1/%5c..%5cconfig', auth), 400],
  ['a backslash', request('/kapacitor/v1\\..\\config', auth), 400],
  ['an encoded NUL', request('/kapacitor/v1/config%00', auth), 400],
  ['an encoded control character', request('/kapacitor/v1/con%0afig', auth), 400],
  ['a raw NUL', request('/kapacitor/v1/config\u0000', auth), 400],
  ['a raw tab', request('/kapacitor/v1/con\tfig', auth), 400],
  ['a raw non-ASCII byte', request('/kapacitor/v1/conf\u00efg', auth), 400],
  ['malformed percent-encoding', request('/kapacitor/v1/%zz', auth), 400],
  ['a truncated percent-encoding', request('/kapacitor/v1/config%2', auth), 400],
  ['malformed percent-encoding in the query', request('/kapacitor/v1/config?x=%zz', auth), 400],
  ['a raw quote in the query', request('/kapacitor/v1/config?x="', auth), 400],
  ['absolute-form', request('http://upstream.internal/kapacitor/v1/config', auth), 400],
  ['absolute-form with a relative path', request('http:/kapacitor/v1/config', auth), 400],
  ['asterisk-form', request('*', auth, 'OPTIONS'), 400],
  ['authority-form on GET', request('upstream.internal:80', auth), 400],
  ['CONNECT', request('upstream.internal:80', auth, 'CONNECT'), 405],
  ['a path without a leading slash', request('kapacitor/v1/config', auth), 400],
  ['a request target over 8 KiB', request(`/kapacitor/v1/${'a'.repeat(9000)}`, auth), 414],
  ['headers over 16 KiB', request('/kapacitor/v1/config', `${auth}X-Filler: ${'a'.repeat(17_000)}\r\n`), 431],
  ['two Host headers', request('/kapacitor/v1/config', `${auth}Host: other.test\r\n`), 400],
  ['two Authorization headers', request('/kapacitor/v1/config', `${auth}Authorization: Token other\r\n`), 400],
  ['no Host header', request('/kapacitor/v1/config', `Authorization: Token ${TEST_SECRET}\r\n`), 400],
  ['two different Content-Lengths', request('/kapacitor/v1/config', `${auth}Content-Length: 1\r\nContent-Length: 2\r\n`, 'POST'), 400],
  ['two equal Content-Lengths', request('/kapacitor/v1/config', `${auth}Content-Length: 0\r\nContent-Length: 0\r\n`, 'POST'), 400],
  ['Content-Length and chunked Transfer-Encoding', request('/kapacitor/v1/config', `${auth}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n`, 'POST'), 400],
  ['an unknown Transfer-Encoding', request('/kapacitor/v1/config', `${auth}Transfer-Encoding: gzip\r\n`, 'POST'), 400],
  ['a header line without a colon', request('/kapacitor/v1/config', `${auth}NotAHeader\r\n`), 400],
  ['a header name with a space', request('/kapacitor/v1/config', `${auth}X Bad: 1\r\n`), 400],
  ['an obs-fold continuation line', request('/kapacitor/v1/config', `${auth}X-Folded: a\r\n b\r\n`), 400],
  ['a bare LF line ending in the request line', `GET /kapacitor/v1/config HTTP/1.1\n${auth}\r\n`, 400],
  ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 400],
  ['an unknown HTTP version', 'GET /kapacitor/v1/config HTTP/3.7\r\nHost: its.gateway.test\r\n\r\n', 400],
  ['an Upgrade request', request('/kapacitor/v1/config', `${auth}Connection: Upgrade\r\nUpgrade: websocket\r\n`), 400],
];

describe('requests refused before any provider, never forwarded', () => {
  test.each(UNCLEAN)('%s is refused with a 4xx', async (_name, raw, status) => {
    const answer = await sendRaw(its.gateway.url, raw);
    expect(statusOf(answer)).toBe(status);
    expect(its.upstream.requests).toEqual([]);
    expect(askedPaths).toEqual([]);
  });

  test('the server still serves after all of them', async () => {
    const response = await fetch(`${its.gateway.url}/kapacitor/v1/ping`, { headers: { authorization: `Token ${TEST_SECRET}` } });
    expect(response.status).toBe(200);
    expect(its.gateway.logs()).not.toMatch(/\n\s+at /);
  });
});

describe('RFC 3986 §6.2.2: what the provider authorizes is exactly what is forwarded', () => {
  test('encoded unreserved characters are decoded before the provider sees the path, and that path is forwarded', async () => {
    const response = await fetch(`${its.gateway.url}/kapacitor/v1/%74asks/%7Ename?x=%41`, { headers: { authorization: `Token ${TEST_SECRET}` } });
    expect(response.status).toBe(200);
    expect(askedPaths).toEqual(['/kapacitor/v1/tasks/~name']);
    expect(its.upstream.requests.map((r) => r.url)).toEqual(['/kapacitor/v1/tasks/~name?x=%41']);
  });

  test('other encoded characters stay encoded, in upper-case hex', async () => {
    const response = await fetch(`${its.gateway.url}/kapacitor/v1/tasks/a%20b%3fc`, { headers: { authorization: `Token ${TEST_SECRET}` } });
    expect(response.status).toBe(200);
    expect(askedPaths).toEqual(['/kapacitor/v1/tasks/a%20b%3Fc']);
    expect(its.upstream.requests.map((r) => r.url)).toEqual(['/kapacitor/v1/tasks/a%20b%3Fc']);
  });

  test('one trailing slash is a path of its own and is kept', async () => {
    const response = await fetch(`${its.gateway.url}/kapacitor/v1/tasks/`, { headers: { authorization: `Token ${TEST_SECRET}` } });
    expect(response.status).toBe(200);
    expect(its.upstream.requests.map((r) => r.url)).toEqual(['/kapacitor/v1/tasks/']);
  });
});
