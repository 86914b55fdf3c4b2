import { createServer, type Server } from 'node:http';
import * as oauth from 'oauth4webapi';
import { afterEach, describe, expect, it } from 'vitest';
import type { FlowContext } from '../../src/contracts/v1/flow.js';
import { explicitAuthorizationServer } from '../../src/flows/authorization-server.js';
import { flows } from '../../src/flows/index.js';
import { wait } from '../../src/flows/wait.js';
import { recordingInteraction } from './support/interaction.js';

/**
 * A token endpoint with fixed answers, for server behaviour the testkit IdP
 * (which always rotates and always answers JSON) does not have.
 */
let server: Server | undefined;
async function tokenEndpoint(status: number, contentType: string, body: string): Promise<{ url: string; forms: URLSearchParams[] }> {
  const forms: URLSearchParams[] = [];
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (chunk) => (data += chunk));
    req.on('end', () => {
      forms.push(new URLSearchParams(data));
      res.writeHead(status, { 'content-type': contentType }).end(body);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/token`, forms };
}
afterEach(() => server?.close());

function refreshContext(tokenUrl: string): FlowContext {
  return {
    profile: 'dev',
    server: explicitAuthorizationServer({ token_url: tokenUrl }),
    client: { client_id: 'authctl' },
    clientAuth: oauth.None(),
    scopes: [],
    parameters: {},
    interaction: recordingInteraction().interaction,
    signal: new AbortController().signal,
    fetch,
    timeoutMs: 5000,
    now: () => Math.floor(Date.now() / 1000),
    sleep: wait,
    allowInsecureHttp: true,
    options: {},
    readPassword: async () => ({ username: '', password: '' }),
    refreshToken: 'the-refresh-token',
  };
}

describe('refresh flow (RFC 6749 §6)', () => {
  it('sends the refresh token, and keeps it when the server issues no new one', async () => {
    const endpoint = await tokenEndpoint(200, 'application/json', JSON.stringify({ access_token: 'new-at', token_type: 'Bearer', expires_in: 60 }));

    const tokens = await flows.refresh.run(refreshContext(endpoint.url));

    expect(endpoint.forms[0]?.get('grant_type')).toBe('refresh_token');
    expect(endpoint.forms[0]?.get('refresh_token')).toBe('the-refresh-token');
    expect(tokens).toMatchObject({ access_token: 'new-at', refresh_token: 'the-refresh-token' });
  });

  it('a token endpoint answering HTML is PROTOCOL naming the URL, never echoing the refresh token', async () => {
    const endpoint = await tokenEndpoint(200, 'text/html', '<html>proxy login page</html>');

    const error = await flows.refresh.run(refreshContext(endpoint.url)).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'PROTOCOL', details: { url: endpoint.url } });
    expect(JSON.stringify([(error as Error).message, (error as { details: unknown }).details])).not.toContain('the-refresh-token');
  });

  it('a 4xx without an OAuth error body is PROTOCOL with the status', async () => {
    const endpoint = await tokenEndpoint(404, 'text/plain', 'not found');

    await expect(flows.refresh.run(refreshContext(endpoint.url))).rejects.toMatchObject({
      code: 'PROTOCOL',
      details: { url: endpoint.url, status: 404 },
    });
  });
});
