// pnpm bench (apps/server): the machine-identity login API on one core.
// - universal-auth logins/s against `auth-server --dev`'s demo-machine, beside
//   the raw rate of the costly step each login pays: once a secret has verified
//   under its stored scrypt (N=2^15, shown too: a first login pays it), the
//   check is a keyed digest behind the lockout, and what remains is signing the
//   access token (RS256), so the ratio says how close the API comes to that;
// - machine access tokens verified/s: by the server itself (signature, claims,
//   revocation list) and by a resource server with jose against the JWKS.
// The process pins itself to one CPU (taskset, when present) with a libuv pool
// of one thread, so scrypt cannot borrow other cores. Loopback only; every loop
// is bounded in time and count.
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, scrypt, sign } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';
import { createLogger, loadOrCreateKeys, MachineAccessTokens, prepareDevMode, startAuthServer } from '../dist/index.js';

if (process.env.MACHINE_BENCH_PINNED !== '1') {
  const self = fileURLToPath(import.meta.url);
  const taskset = spawnSync('taskset', ['--version']).status === 0;
  const command = taskset ? 'taskset' : process.execPath;
  const args = taskset ? ['-c', '0', process.execPath, self] : [self];
  if (!taskset) console.log('(taskset not found: the scrypt pool is one thread, but the process is not pinned to one CPU)');
  execFileSync(command, args, { stdio: 'inherit', env: { ...process.env, MACHINE_BENCH_PINNED: '1', UV_THREADPOOL_SIZE: '1' } });
  process.exit(0);
}

const SECONDS = 3;
const MAX_REQUESTS = 100_000;
const CONCURRENCY = 4;
const SECRET = 'bench-machine-secret-0123456789abcdef';
const STORED_SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

async function rate(fn) {
  let done = 0;
  const until = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until && done < MAX_REQUESTS) {
        await fn(done);
        done++;
      }
    }),
  );
  return { perSecond: done / ((performance.now() - started) / 1000), count: done };
}

const rawScrypt = await rate(
  () => new Promise((resolve, reject) => scrypt(SECRET, 'sixteen-byte-salt', 32, STORED_SCRYPT, (error, key) => (error ? reject(error) : resolve(key)))),
);

const dataDir = await mkdtemp(join(tmpdir(), 'auth-server-machine-bench-'));
const dev = await prepareDevMode({ listen: '127.0.0.1:0', dataDir, env: { AUTH_SERVER_DEV_PASSWORD: 'bench-password', AUTH_SERVER_DEV_CLIENT_SECRET: SECRET, AUTH_SERVER_DEV_MACHINE_SECRET: SECRET } });
const server = await startAuthServer({ config: dev.config, logger: createLogger({ level: 'silent' }) });
try {
  const login = async () => {
    const response = await fetch(`${server.issuer}/api/v1/auth/universal-auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'demo-machine', clientSecret: SECRET }),
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status !== 200) throw new Error(`login answered ${response.status}`);
    return (await response.json()).accessToken;
  };
  const tokens = [];
  for (let i = 0; i < 20; i++) tokens.push(await login()); // the first pays the N=2^15 check; JIT warm-up
  const logins = await rate(login);

  const { keys } = await loadOrCreateKeys(dataDir, dev.config.signing_alg);
  const { created_at: _created, ...signingJwk } = keys.signing[0];
  const signingKey = createPrivateKey({ key: signingJwk, format: 'jwk' });
  const rawSign = await rate(async () => sign('sha256', Buffer.from(tokens[0]), signingKey));
  const noRevocations = { revoke: async () => {}, isRevoked: async () => false };
  const own = new MachineAccessTokens(server.issuer, keys, noRevocations, () => Math.floor(Date.now() / 1000));
  const serverVerified = await rate((i) => own.verify(tokens[i % tokens.length]));

  const jwks = jose.createRemoteJWKSet(new URL(`${server.issuer}/jwks`));
  const options = { issuer: server.issuer, typ: 'machine+jwt', algorithms: ['RS256'] };
  await jose.jwtVerify(tokens[0], jwks, options);
  const resourceVerified = await rate((i) => jose.jwtVerify(tokens[i % tokens.length], jwks, options));

  const fmt = (n) => n.toFixed(0).padStart(8);
  console.log(`machine-identity login API, one core (${SECONDS} s each, ${CONCURRENCY} concurrent callers, UV_THREADPOOL_SIZE=1)`);
  console.log(`  universal-auth logins/s            ${fmt(logins.perSecond)}   (${logins.count} logins)`);
  console.log(`  raw RS256 signatures/s (the token)  ${fmt(rawSign.perSecond)}   ratio logins / signatures ${(logins.perSecond / rawSign.perSecond).toFixed(3)}`);
  console.log(`  raw scrypt N=2^15 hashes/s         ${fmt(rawScrypt.perSecond)}   (a secret's first login; ratio logins / hashes ${(logins.perSecond / rawScrypt.perSecond).toFixed(1)})`);
  console.log(`  machine tokens verified/s by the server's check (signature, claims, revocations) ${fmt(serverVerified.perSecond)}`);
  console.log(`  machine tokens verified/s by a resource server (jose + JWKS)                 ${fmt(resourceVerified.perSecond)}`);
} finally {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
}
