import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createVerboseFetch } from '../src/http/verbose-fetch.js';

/** A JWT-shaped value (header.payload.signature) that is not in any secret-named field. */
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';

/** A real HTTP server on loopback that answers what a token endpoint might, secrets included. */
let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url?.startsWith('/page')) {
      response.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'session=cookie-secret' });
      response.end(`<p>refresh_token=html-secret ${JWT}</p>`);
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ access_token: 'at-secret', nested: { refresh_token: 'rt-secret' }, note: `see ${JWT}`, scope: 'openid' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function traced(url: string, init?: RequestInit): Promise<{ trace: string; body: string }> {
  const lines: string[] = [];
  const response = await createVerboseFetch(fetch, (line) => lines.push(line))(url, init);
  return { trace: lines.join('\n'), body: await response.text() };
}

describe('the --verbose trace redacts secrets wherever they appear', () => {
  test('query strings, credential headers, form bodies and JSON answers; the caller still gets the whole body', async () => {
    const { trace, body } = await traced(`${origin}/token?code=code-secret&state=kept-state`, {
      method: 'POST',
      headers: { authorization: 'Basic YXV0aGN0bDpzM2NyZXQ=', cookie: 'sid=cookie-secret', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'form-secret', client_secret: 'cs-secret', client_id: 'authctl' }),
    });
    expect(JSON.parse(body)).toMatchObject({ access_token: 'at-secret' });
    expect(trace).toContain(`> POST ${origin}/token?code=[redacted]&state=kept-state`);
    expect(trace).toContain('> authorization: Basic [redacted]');
    expect(trace).toContain('> cookie: [redacted]');
    expect(trace).toContain('> grant_type=refresh_token&refresh_token=[redacted]&client_secret=[redacted]&client_id=authctl');
    expect(trace).toMatch(/^< 200 OK \(\d+ ms\)$/m);
    expect(trace).toContain('< {"access_token":"[redacted]","nested":{"refresh_token":"[redacted]"},"note":"see [redacted]","scope":"openid"}');
    for (const secret of ['code-secret', 'YXV0aGN0bDpzM2NyZXQ=', 'cookie-secret', 'form-secret', 'cs-secret', 'at-secret', 'rt-secret', JWT]) {
      expect(trace).not.toContain(secret);
    }
  });

  test('a body that is neither a form nor JSON is shown by its size only, and Set-Cookie is hidden', async () => {
    const { trace, body } = await traced(`${origin}/page`);
    expect(body).toContain('html-secret');
    expect(trace).toMatch(/^< \[\d+ bytes of text\/html\]$/m);
    expect(trace).toContain('< set-cookie: [redacted]');
    expect(trace).not.toMatch(/html-secret|cookie-secret/);
  });

  test('a request that fails is traced with its redacted URL and the error, and the error reaches the caller', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const lines: string[] = [];
    const failing = createVerboseFetch(fetch, (line) => lines.push(line))(`http://127.0.0.1:${port}/token?device_code=dc-secret`);
    await expect(failing).rejects.toThrow();
    expect(lines.at(-1)).toMatch(new RegExp(`^< GET http://127\\.0\\.0\\.1:${port}/token\\?device_code=\\[redacted\\] failed after \\d+ ms: .*ECONNREFUSED`));
    expect(lines.join('\n')).not.toContain('dc-secret');
  });

  test('user info in a URL is redacted, also inside the error fetch raises about it', async () => {
    const lines: string[] = [];
    const refused = createVerboseFetch(fetch, (line) => lines.push(line))(`http://user:url-secret@${origin.slice('http://'.length)}/token`);
    await expect(refused).rejects.toThrow(/credentials/);
    expect(lines[0]).toBe(`> GET http://[redacted]@${origin.slice('http://'.length)}/token`);
    expect(lines.at(-1)).toMatch(/failed after \d+ ms: .*credentials/);
    expect(lines.join('\n')).not.toContain('url-secret');
  });
});
