import { connect } from 'node:net';
import { describe, expect, test } from 'vitest';
import { cleanPath } from '../src/gateway/request-target.js';
import { TEST_SECRET, useGateway } from './support/gateway-server.js';
import { prng } from './support/prng.js';

/**
 * A seeded, bounded fuzzer of the gateway's listener: random bytes, garbage
 * request lines and valid requests with random mutations, each on its own
 * connection. The same seed sends the same bytes, so a failure reproduces.
 */
const SEED = 1109;
const CONNECTIONS = 1000;
const CONCURRENCY = 8;

const SAFE_PIECES = ['/', 'a', 'tasks', 'ping', '%41', '-', '~', '?x=1', '&token=', `?token=${TEST_SECRET}`];
const PIECES = ['/', '//', '.', '..', '%2e', '%2f', '%5c', '%', '%zz', '%00', '\\', '\u0000', '\r', '\n', ' ', '\t', '?', '#', '@', ';', '%41', 'kapacitor', 'v1', 'ping', 'open', '\u00ff', 'http://x', '*'];

function generate(random: ReturnType<typeof prng>): Buffer {
  const { int, pick, chance } = random;
  const kind = int(5);
  if (kind === 0) return Buffer.from(Array.from({ length: int(600) + 1 }, () => int(256)));
  const path = Array.from({ length: int(8) + 1 }, () => pick(chance(0.9) ? SAFE_PIECES : PIECES)).join('');
  const method = chance(0.6) ? 'GET' : pick(['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE', 'PATCH', 'G\u0000T', '', 'get', 'X'.repeat(int(40))]);
  const headers = [
    chance(0.8) ? 'Host: g' : pick(['Host: g\r\nHost: h', '', 'Host:', `Host: ${'h'.repeat(int(2000))}`]),
    chance(0.5) ? `Authorization: Token ${TEST_SECRET}` : pick(['', 'Authorization: Token', 'Authorization: \u00ff', `Authorization: Token ${TEST_SECRET}\r\nAuthorization: x`]),
    chance(0.6) ? '' : pick(['Content-Length: 5', 'Content-Length: -1', 'Content-Length: 99999999999999999999', 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked\r\nContent-Length: 3', 'Content-Length: 1\r\nContent-Length: 2']),
    chance(0.7) ? 'Connection: close' : pick(['', 'Connection: upgrade\r\nUpgrade: websocket', 'Expect: 100-continue', 'TE: trailers', `X-Junk: ${'j'.repeat(int(20_000))}`]),
  ].filter(Boolean);
  const body = chance(0.6) ? '' : pick(['hello', '5\r\nhello\r\n0\r\n\r\n', 'zz\r\n', '\u0000\u0000']);
  let text = `${method} ${kind === 1 ? path : `/${pick(['open', 'kapacitor/v1'])}/${path}`} ${(chance(0.8) ? 'HTTP/1.1' : pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 extra', '']))}\r\n${headers.join('\r\n')}\r\n\r\n${body}`;
  if (kind === 4) {
    const bytes = Buffer.from(text, 'latin1');
    for (let i = int(5); i >= 0; i--) bytes[int(bytes.length)] = int(256);
    return bytes;
  }
  if (chance(0.1)) text = text.replace(/\r\n/g, '\n');
  return Buffer.from(text, 'latin1');
}

/**
 * Writes the bytes and reads what the gateway answers until it closes the
 * connection. A connection it keeps open (an incomplete request, keep-alive)
 * is half-closed after half a second of silence, which makes Node's server
 * abort what is in flight and close; one still open 10 s later has hung.
 */
function send(url: string, bytes: Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname);
    const hung = setTimeout(() => {
      socket.destroy();
      resolve('timed out');
    }, 10_000);
    socket.setTimeout(500, () => socket.end());
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => {
      clearTimeout(hung);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.on('error', () => {});
    socket.write(bytes);
  });
}

const its = useGateway((upstream) => ({
  upstream,
  routes: [
    { prefix: '/open', public: true },
    { prefix: '/kapacitor/v1', provider: 'test-token', auth: { secret_env: 'TEST_GATEWAY_SECRET' } },
  ],
}));

describe(`fuzzing the gateway's listener (seed ${SEED}, ${CONNECTIONS} connections)`, () => {
  test('no answer is a 5xx, nothing hangs, only clean paths reach the upstream, and the gateway still serves', async () => {
    const random = prng(SEED);
    const inputs = Array.from({ length: CONNECTIONS }, () => generate(random));
    const failures: string[] = [];
    const statuses = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < inputs.length) {
          const input = inputs[next++]!;
          const answer = await send(its.gateway.url, input);
          for (const [, status] of answer.matchAll(/HTTP\/1\.[01] (\d{3})/g)) statuses.set(status!, (statuses.get(status!) ?? 0) + 1);
          if (answer === 'timed out' || /HTTP\/1\.[01] 5\d\d/.test(answer)) failures.push(`${answer.slice(0, 40)} <- ${JSON.stringify(input.toString('latin1').slice(0, 200))}`);
        }
      }),
    );
    console.log('statuses', Object.fromEntries([...statuses].sort()));

    expect(failures).toEqual([]);
    const unclean = its.upstream.requests.map((r) => r.url.split('?')[0]!).filter((path) => !cleanPath(path).ok);
    expect(unclean).toEqual([]);
    expect((await fetch(`${its.gateway.url}/open/still-up`)).status).toBe(200);
    expect(its.gateway.logs()).not.toMatch(/\n\s+at /);
    expect(its.gateway.logs()).not.toContain(TEST_SECRET);
  }, 240_000);
});
