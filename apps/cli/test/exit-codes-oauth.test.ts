import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { test } from './support/fixtures.js';
import { configToml, idpProfile } from './support/profiles.js';
import { STACK_FRAME, type Sandbox } from './support/sandbox.js';

/**
 * An OAuth error answer (RFC 6749 §5.2, RFC 7009 §2.2.1, RFC 8707 §2) is the
 * IdP saying no: a configuration problem (exit 2) or a refusal (exit 4),
 * never exit 5, which means "network or timeout, retry".
 */

/** A token endpoint that answers every request with one fixed OAuth error, as RFC 6749 §5.2 words it. */
let tokenEndpoint: Server;
let answer: { status: number; error: string } = { status: 400, error: 'invalid_request' };
let tokenUrl: string;

beforeAll(async () => {
  tokenEndpoint = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(answer.status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ error: answer.error, error_description: `fixed answer of the test token endpoint: ${answer.error}` }));
    });
  });
  await new Promise<void>((resolve) => tokenEndpoint.listen(0, '127.0.0.1', resolve));
  tokenUrl = `http://127.0.0.1:${(tokenEndpoint.address() as AddressInfo).port}/token`;
});

afterAll(async () => {
  await new Promise((resolve) => tokenEndpoint?.close(resolve));
});

async function serviceAccountLogin(sandbox: Sandbox, profile: Record<string, unknown>) {
  await sandbox.writeConfig(configToml({ dev: profile }, 'dev'));
  return sandbox.run(['login', '--serviceaccount'], { env: { AUTHCTL_CLIENT_SECRET: 'svc-secret' } });
}

const CASES: Array<{ error: string; status: number; exit: 2 | 4; code: string }> = [
  { error: 'invalid_request', status: 400, exit: 2, code: 'CONFIG_INVALID' },
  { error: 'unsupported_grant_type', status: 400, exit: 2, code: 'CONFIG_INVALID' },
  { error: 'unauthorized_client', status: 400, exit: 2, code: 'CONFIG_INVALID' },
  { error: 'invalid_scope', status: 400, exit: 2, code: 'CONFIG_INVALID' },
  { error: 'invalid_target', status: 400, exit: 2, code: 'CONFIG_INVALID' },
  { error: 'unsupported_token_type', status: 400, exit: 2, code: 'CONFIG_INVALID' },
  { error: 'invalid_client', status: 401, exit: 4, code: 'INVALID_CLIENT' },
  // Some servers (Keycloak among them) answer a wrong client secret this way: the 401 says it is authentication.
  { error: 'unauthorized_client', status: 401, exit: 4, code: 'INVALID_CLIENT' },
  { error: 'access_denied', status: 403, exit: 4, code: 'ACCESS_DENIED' },
  { error: 'an_error_no_rfc_defines', status: 400, exit: 4, code: 'ACCESS_DENIED' },
  // A name every JavaScript object has must not be mistaken for a known value.
  { error: 'constructor', status: 400, exit: 4, code: 'ACCESS_DENIED' },
];

describe('OAuth error answers exit 2 (configuration) or 4 (refusal), never 5', () => {
  test.for(CASES)('RFC 6749 §5.2: error=$error from the token endpoint exits $exit ($code), naming the error and the URL', async ({ error, status, exit, code }, { sandbox }) => {
    answer = { status, error };
    const login = await serviceAccountLogin(sandbox, { provider: 'oidc', token_url: tokenUrl, client_id: 'svc', flow: 'client-credentials' });
    expect(login.code, login.stderr).toBe(exit);
    expect(login.stderr).toContain(error);
    expect(login.stderr).toContain(tokenUrl);
    expect(login.stderr).toMatch(/^hint: /m);
    expect(login.stderr).not.toMatch(STACK_FRAME);

    const json = await sandbox.run(['login', '--serviceaccount', '--json'], { env: { AUTHCTL_CLIENT_SECRET: 'svc-secret' } });
    expect(json.code).toBe(exit);
    expect(JSON.parse(json.stdout)).toMatchObject({ event: 'error', code });
  });

  test('RFC 6749 §5.2 against the real test IdP: a scope it does not offer (invalid_scope) exits 2 with a hint naming the profile’s scopes', async ({ idp, sandbox }) => {
    await sandbox.writeConfig(configToml({ dev: idpProfile(idp.issuer, { flow: 'password', scopes: ['no-such-scope'] }) }, 'dev'));
    const login = await sandbox.run(['login', '--username', 'alice'], { env: { AUTHCTL_PASSWORD: 'alice-password' } });
    expect(login.code, login.stderr).toBe(2);
    expect(login.stderr).toContain('invalid_scope');
    expect(login.stderr).toMatch(/^hint: check `scopes` in profiles\.dev/m);
  });
});
