import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundedFetch, MAX_RESPONSE_BYTES } from '../../src/http/bounded-fetch.js';
import { startAnswering, startSocketDestroyer, streamHuge, type HostileServer } from '@auth/testkit';

const servers: HostileServer[] = [];
let destroyer: HostileServer;
let huge: HostileServer;
let declaredHuge: HostileServer;
let small: HostileServer;
beforeAll(async () => {
  destroyer = await startSocketDestroyer();
  huge = await startAnswering((_request, response) => streamHuge(response, 8 * MAX_RESPONSE_BYTES));
  declaredHuge = await startAnswering((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(512 * 1024 * 1024) });
    response.write('{');
  });
  small = await startAnswering((_request, response) => {
    response.writeHead(201, { 'content-type': 'application/json', 'x-kept': 'yes' });
    response.end('{"ok":true}');
  });
  servers.push(destroyer, huge, declaredHuge, small);
});
afterAll(() => Promise.all(servers.map((server) => server.close())));

describe('boundedFetch', () => {
  it('a server that accepts the connection and drops it: every request settles, none is left pending', async () => {
    const fetcher = boundedFetch(fetch, { timeoutMs: 500 });
    // Node 20's fetch leaves the first such request pending forever; the timer is what settles it.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => fetcher(`${destroyer.url}/token`, { method: 'POST', body: 'grant_type=refresh_token' })),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(5).fill('rejected'));
  });

  it('a request still unanswered when the timer runs out rejects with a TimeoutError', async () => {
    const fetcher = boundedFetch(() => new Promise<Response>(() => {}), { timeoutMs: 20 });
    await expect(fetcher('http://127.0.0.1:9/token')).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('an answer streaming more than 1 MiB is cut off: PROTOCOL naming the URL', async () => {
    const fetcher = boundedFetch(fetch, { timeoutMs: 10_000 });
    await expect(fetcher(`${huge.url}/token`)).rejects.toMatchObject({
      code: 'PROTOCOL',
      message: expect.stringContaining(`${huge.url}/token`),
      details: { url: `${huge.url}/token`, status: 200 },
    });
  });

  it('an answer declaring a 512 MiB body is refused before reading it', async () => {
    const fetcher = boundedFetch(fetch, { timeoutMs: 10_000 });
    await expect(fetcher(`${declaredHuge.url}/token`)).rejects.toMatchObject({ code: 'PROTOCOL', message: expect.stringContaining('1 MiB') });
  });

  it('an ordinary answer comes back whole, with its status and headers', async () => {
    const response = await boundedFetch(fetch, { timeoutMs: 10_000 })(`${small.url}/`);
    expect(response.status).toBe(201);
    expect(response.headers.get('x-kept')).toBe('yes');
    expect(await response.json()).toEqual({ ok: true });
  });

  it('the caller\'s signal still cancels the request', async () => {
    const controller = new AbortController();
    const pending = boundedFetch(() => new Promise<Response>(() => {}), { timeoutMs: 10_000 });
    const request = pending('http://127.0.0.1:9/', { signal: controller.signal });
    controller.abort(new DOMException('stop', 'AbortError'));
    await expect(request).rejects.toMatchObject({ name: 'AbortError' });
  });
});
