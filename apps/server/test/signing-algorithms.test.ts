import * as jose from 'jose';
import { describe, expect, test } from 'vitest';
import { createLogger, DEV_RESOURCE, prepareDevMode, startAuthServer, type SigningAlg } from '../src/index.js';
import { DEMO_PASSWORD, issuerRole, makeDataDir, removeDataDir, SERVICE_SECRET } from './support/test-server.js';

async function serve(dataDir: string, signingAlg: SigningAlg) {
  const dev = await prepareDevMode({
    listen: '127.0.0.1:0',
    dataDir,
    env: { AUTH_SERVER_DEV_PASSWORD: DEMO_PASSWORD, AUTH_SERVER_DEV_CLIENT_SECRET: SERVICE_SECRET },
  });
  return issuerRole(await startAuthServer({ config: { ...dev.config, signing_alg: signingAlg }, logger: createLogger({ level: 'silent' }) }));
}

async function serviceToken(issuer: string): Promise<string> {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`demo-service:${SERVICE_SECRET}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

const verify = (issuer: string, token: string, alg: SigningAlg) =>
  jose.jwtVerify(token, jose.createRemoteJWKSet(new URL(`${issuer}/jwks`)), { issuer, audience: DEV_RESOURCE, typ: 'at+jwt', algorithms: [alg] });

describe('signing_alg: RS256, ES256 (RFC 7518 §3.4) or EdDSA (RFC 8037)', () => {
  for (const alg of ['ES256', 'EdDSA'] as const) {
    test(`signing_alg = "${alg}": access tokens are ${alg} JWTs that verify against the JWKS, and discovery says so for ID tokens`, async () => {
      const dataDir = await makeDataDir();
      const server = await serve(dataDir, alg);
      try {
        const { protectedHeader } = await verify(server.issuer, await serviceToken(server.issuer), alg);
        expect(protectedHeader.alg).toBe(alg);
        const discovery = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
        expect(discovery.id_token_signing_alg_values_supported).toEqual([alg]);
      } finally {
        await server.close();
        await removeDataDir(dataDir);
      }
    });
  }

  test('switching a data dir from RS256 to ES256 ES256 signs and the RS256 key that signed earlier tokens stays in the JWKS', async () => {
    const dataDir = await makeDataDir();
    try {
      const before = await serve(dataDir, 'RS256');
      const rs256Token = await serviceToken(before.issuer);
      await before.close();

      const after = await serve(dataDir, 'ES256');
      try {
        await verify(after.issuer, await serviceToken(after.issuer), 'ES256');
        const jwks = (await (await fetch(`${after.issuer}/jwks`)).json()) as { keys: Array<{ alg: string }> };
        expect(jwks.keys.map((key) => key.alg)).toEqual(['ES256', 'RS256']);
        const { kid } = jose.decodeProtectedHeader(rs256Token);
        expect(jwks.keys.some((key) => (key as { kid?: string }).kid === kid)).toBe(true);
      } finally {
        await after.close();
      }
    } finally {
      await removeDataDir(dataDir);
    }
  });
});
