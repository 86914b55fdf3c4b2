// pnpm bench (apps/server): how fast the issuer mints client-credentials
// tokens with each signing algorithm (RS256, ES256, EdDSA), each beside
// `openssl speed` sign/s for that algorithm on the same machine, and how fast
// a resource server verifies the RS256 ones against the JWKS with jose,
// beside `openssl speed rsa2048` verify/s. Keycloak's sizing guide is the
// yardstick for a whole server: one vCPU per 120 client-credentials grants/s.
// Loopback only; every loop is bounded in time and count.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as jose from 'jose';
import { createLogger, DEV_RESOURCE, prepareDevMode, startAuthServer } from '../dist/index.js';

const SECONDS = 3;
const MAX_REQUESTS = 200_000;
const CONCURRENCY = 8;
const SECRET = 'bench-client-secret-0123456789abcdef';
// https://www.keycloak.org/high-availability/concepts-memory-and-cpu-sizing: "one vCPU for every 120 client credential grants per second".
const KEYCLOAK_GRANTS_PER_VCPU = 120;

/** Starts a --dev issuer that signs with `alg` and measures client-credentials tokens/s against it. */
async function measureIssuing(alg) {
  const dataDir = await mkdtemp(join(tmpdir(), 'auth-server-bench-'));
  const dev = await prepareDevMode({
    listen: '127.0.0.1:0',
    dataDir,
    env: { AUTH_SERVER_DEV_PASSWORD: 'bench-password', AUTH_SERVER_DEV_CLIENT_SECRET: SECRET },
  });
  const server = await startAuthServer({ config: { ...dev.config, signing_alg: alg }, logger: createLogger({ level: 'silent' }) });
  const tokenUrl = `${server.issuer}/token`;
  const authorization = `Basic ${Buffer.from(`demo-service:${SECRET}`).toString('base64')}`;
  const issue = async () => {
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'grant_type=client_credentials',
      signal: AbortSignal.timeout(5000),
    });
    if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}`);
    return (await res.json()).access_token;
  };
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
    const perSecond = issued / ((performance.now() - started) / 1000);
    return { alg, perSecond, issued, tokens, issuer: server.issuer, server, dataDir };
  } catch (error) {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function measureVerifying({ issuer, tokens }) {
  const jwks = jose.createRemoteJWKSet(new URL(`${issuer}/jwks`));
  const options = { issuer, audience: DEV_RESOURCE, typ: 'at+jwt', algorithms: ['RS256'] };
  await jose.jwtVerify(tokens[0], jwks, options); // fetches and caches the JWKS
  let verified = 0;
  const until = performance.now() + SECONDS * 1000;
  const started = performance.now();
  while (performance.now() < until && verified < MAX_REQUESTS) {
    await jose.jwtVerify(tokens[verified % tokens.length], jwks, options);
    verified++;
  }
  return verified / ((performance.now() - started) / 1000);
}

/** `openssl speed` sign/s and verify/s per algorithm, read from its summary table. */
async function opensslSpeed() {
  const { stdout } = await promisify(execFile)('openssl', ['speed', '-seconds', '2', 'rsa2048', 'ecdsap256', 'ed25519'], { timeout: 120_000 });
  const rows = {
    RS256: /rsa\s+2048 bits\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)/,
    ES256: /256 bits ecdsa \(nistp256\)\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)/,
    EdDSA: /253 bits EdDSA \(Ed25519\)\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)/,
  };
  return Object.fromEntries(
    Object.entries(rows).map(([alg, pattern]) => {
      const row = pattern.exec(stdout);
      if (!row) throw new Error(`could not read the ${alg} row of openssl speed output:\n${stdout}`);
      return [alg, { sign: Number(row[1]), verify: Number(row[2]) }];
    }),
  );
}

const results = [];
let verifyPerSecond;
for (const alg of ['RS256', 'ES256', 'EdDSA']) {
  const result = await measureIssuing(alg);
  try {
    if (alg === 'RS256') verifyPerSecond = await measureVerifying(result);
    results.push(result);
  } finally {
    await result.server.close();
    await rm(result.dataDir, { recursive: true, force: true });
  }
}
const openssl = await opensslSpeed();

const fmt = (n) => n.toFixed(0).padStart(8);
const cpus = availableParallelism();
console.log(`client-credentials tokens issued/s (${SECONDS} s each, ${CONCURRENCY} keep-alive clients, one server process, ${cpus} CPUs on this machine)`);
for (const { alg, perSecond, issued } of results) {
  const sign = openssl[alg].sign;
  console.log(
    `  ${alg.padEnd(6)} ${fmt(perSecond)}   (${issued} tokens)   openssl speed ${alg} sign/s ${fmt(sign)}   ratio ${(perSecond / sign).toFixed(3)}`,
  );
}
console.log(`jose JWKS-verified RS256 access tokens/s ${fmt(verifyPerSecond)}   (jwtVerify + createRemoteJWKSet, one core)`);
console.log(`openssl speed rsa2048 verify/s           ${fmt(openssl.RS256.verify)}   ratio jose / openssl ${(verifyPerSecond / openssl.RS256.verify).toFixed(2)}`);
console.log(`Keycloak sizing guide: ${KEYCLOAK_GRANTS_PER_VCPU} client-credentials grants/s per vCPU`);
for (const { alg, perSecond } of results) {
  console.log(`  ${alg.padEnd(6)} ${(perSecond / KEYCLOAK_GRANTS_PER_VCPU).toFixed(1)}x that for one Node process (a single event loop: about one vCPU, plus the load generator sharing the machine)`);
}
