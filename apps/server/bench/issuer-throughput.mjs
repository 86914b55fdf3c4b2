// pnpm bench (apps/server): how fast the issuer mints client-credentials
// tokens, and how fast a resource server verifies them against the JWKS with
// jose, beside `openssl speed rsa2048` verify/s on the same machine.
// Loopback only; every loop is bounded in time and count.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as jose from 'jose';
import { createLogger, DEV_RESOURCE, prepareDevMode, startAuthServer } from '../dist/index.js';

const SECONDS = 3;
const MAX_REQUESTS = 200_000;
const CONCURRENCY = 8;
const SECRET = 'bench-client-secret-0123456789abcdef';

const dataDir = await mkdtemp(join(tmpdir(), 'auth-server-bench-'));
const dev = await prepareDevMode({
  listen: '127.0.0.1:0',
  dataDir,
  env: { AUTH_SERVER_DEV_PASSWORD: 'bench-password', AUTH_SERVER_DEV_CLIENT_SECRET: SECRET },
});
const server = await startAuthServer({ config: dev.config, logger: createLogger({ level: 'silent' }) });
const tokenUrl = `${server.issuer}/token`;
const authorization = `Basic ${Buffer.from(`demo-service:${SECRET}`).toString('base64')}`;

async function issue() {
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: 'grant_type=client_credentials',
    signal: AbortSignal.timeout(5000),
  });
  if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}`);
  return (await res.json()).access_token;
}

try {
  // Warm-up: the first request pays for the scrypt check of the secret and JIT.
  for (let i = 0; i < 50; i++) await issue();

  const tokens = [];
  let issued = 0;
  const until = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until && issued < MAX_REQUESTS) {
        const token = await issue();
        issued++;
        if (tokens.length < 1000) tokens.push(token);
      }
    }),
  );
  const issuePerSecond = issued / ((performance.now() - started) / 1000);

  const jwks = jose.createRemoteJWKSet(new URL(`${server.issuer}/jwks`));
  const options = { issuer: server.issuer, audience: DEV_RESOURCE, typ: 'at+jwt', algorithms: ['RS256'] };
  await jose.jwtVerify(tokens[0], jwks, options); // fetches and caches the JWKS
  let verified = 0;
  const verifyUntil = performance.now() + SECONDS * 1000;
  const verifyStarted = performance.now();
  while (performance.now() < verifyUntil && verified < MAX_REQUESTS) {
    await jose.jwtVerify(tokens[verified % tokens.length], jwks, options);
    verified++;
  }
  const verifyPerSecond = verified / ((performance.now() - verifyStarted) / 1000);

  await server.close();

  const { stdout } = await promisify(execFile)('openssl', ['speed', '-seconds', '2', 'rsa2048'], { timeout: 60_000 });
  const row = /rsa\s+2048 bits\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)/.exec(stdout);
  if (!row) throw new Error(`could not read openssl speed output:\n${stdout}`);
  const opensslSign = Number(row[1]);
  const opensslVerify = Number(row[2]);

  const fmt = (n) => n.toFixed(0).padStart(8);
  console.log(`client-credentials tokens issued/s   ${fmt(issuePerSecond)}   (${issued} in ${SECONDS} s, ${CONCURRENCY} keep-alive clients, RS256 JWT access tokens)`);
  console.log(`jose JWKS-verified access tokens/s   ${fmt(verifyPerSecond)}   (jwtVerify + createRemoteJWKSet, one core)`);
  console.log(`openssl speed rsa2048 verify/s       ${fmt(opensslVerify)}   (one core)`);
  console.log(`openssl speed rsa2048 sign/s         ${fmt(opensslSign)}   (one core; issuing a token costs one RS256 signature)`);
  console.log(`ratio jose verify / openssl verify    ${(verifyPerSecond / opensslVerify).toFixed(2)}`);
  console.log(`ratio issued / openssl sign           ${(issuePerSecond / opensslSign).toFixed(2)}`);
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
