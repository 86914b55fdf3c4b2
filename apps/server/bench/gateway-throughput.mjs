// pnpm bench (apps/server): requests/s through the gateway beside requests/s
// straight to the same upstream, measured side by side in one run. The
// upstream is a minimal node:http server in a child process, the load comes
// from autocannon's CLI in another, so the gateway's process does only the
// gateway's work. A bare node:http proxy beside it is the yardstick: what any
// Node proxy costs before the gateway's own checks. Each entry of ROUTES is one
// gateway configuration with the provider that speaks its protocol and the
// request headers that authenticate: Kapacitor Basic against a meta node
// (testkit's contract double; after the first request every one is a user-cache
// and password fast-path hit), and bearer JWTs from a local JWKS (a repeated
// token is a verification-cache hit; with that cache off, every request pays a
// full RS256 verification, as a fresh token would).
// Loopback only; every run is bounded in time.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, createServer, request } from 'node:http';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { oidc } from '@auth/provider-oidc';
import { kapacitor } from '@auth/provider-kapacitor';
import { startInfluxMetaDouble } from '@auth/testkit';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { z } from 'zod';
import { createLogger, parseServerConfig, startAuthServer } from '../dist/index.js';

const SECONDS = 5;
const WARM_UP_SECONDS = 1;
const CONNECTIONS = 32;
const PATH = '/kapacitor/v1/ping';

/** Allows every request: the cost of the provider step itself, with nothing to check. */
const allowAll = {
  specificationVersion: 'v1',
  id: 'bench-allow-all',
  name: 'Allow all (bench)',
  options: z.object({}),
  gateway: {
    specificationVersion: 'v1',
    configSchema: z.strictObject({}),
    createAuthenticator: async () => ({
      authenticate: async () => ({ allow: true, principal: { subject: 'bench', issuer: 'bench', provider: 'bench-allow-all', claims: {}, permissions: [] } }),
    }),
  },
};

/** A meta node (testkit's contract double) with one user holding KapacitorAPI, for the Kapacitor Basic entry. */
const meta = await startInfluxMetaDouble({ internalSharedSecret: 'bench-internal-secret' });
meta.addUser('bench', 'bench-password', { '': ['KapacitorAPI'] });

/** A JWKS endpoint and a token signed by its key (RS256, 2048 bits), for the bearer entries. */
const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' }] });
const jwksServer = createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
await new Promise((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
const ISSUER = 'https://idp.bench.invalid';
const bearerToken = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'bench' }).setIssuer(ISSUER).setSubject('bench-admin').setIssuedAt().setExpirationTime('2h').sign(privateKey);
const bearerAuth = (verificationCacheSize) => ({
  identityProvider: 'keycloak',
  jwksEndpoint: `http://127.0.0.1:${jwksServer.address().port}/certs`,
  issuer: ISSUER,
  users: [{ id: 'bench-admin', firstName: 'Bench', lastName: 'Admin', email: 'bench@example.invalid' }],
  verificationCacheSize,
});

/** One measured configuration: `route` is a `[[gateway.routes]]` entry (none: straight to the upstream). */
const ROUTES = [
  { name: 'direct to the upstream' },
  { name: 'bare node:http proxy (yardstick)', bare: true },
  { name: 'gateway, public route (auth off)', route: { prefix: '/kapacitor/v1', public: true }, authOff: true },
  { name: 'gateway, allow-all authenticator', route: { prefix: '/kapacitor/v1', provider: 'bench-allow-all' }, providers: [allowAll] },
  {
    name: 'gateway, Kapacitor Basic (cache hit)',
    route: { prefix: '/kapacitor/v1', provider: 'kapacitor', auth: { auth: { 'meta-addr': new URL(meta.url).host, 'meta-internal-shared-secret': 'bench-internal-secret' } } },
    providers: [kapacitor],
    headers: { authorization: `Basic ${Buffer.from('bench:bench-password').toString('base64')}` },
  },
  {
    name: 'gateway, bearer JWT (verification cache hit)',
    route: { prefix: '/kapacitor/v1', provider: 'oidc', auth: bearerAuth(10_000) },
    providers: [oidc],
    headers: { authorization: `Bearer ${bearerToken}` },
  },
  {
    name: 'gateway, bearer JWT (verified every request)',
    route: { prefix: '/kapacitor/v1', provider: 'oidc', auth: bearerAuth(0) },
    providers: [oidc],
    headers: { authorization: `Bearer ${bearerToken}` },
  },
];

const UPSTREAM = `
const { createServer } = require('node:http');
const body = Buffer.from('{"status":"ok"}');
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

async function startUpstream() {
  const child = spawn(process.execPath, ['-e', UPSTREAM], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = await once(child.stdout, 'data');
  return { url: `http://127.0.0.1:${String(chunk).trim()}`, stop: () => child.kill() };
}

const autocannon = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

/** autocannon in its own process; resolves with its JSON summary. */
async function load(url, headers, seconds) {
  const args = [autocannon, '--json', '-c', String(CONNECTIONS), '-d', String(seconds), ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]), url];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 1024 * 1024, timeout: (seconds + 30) * 1000 });
  return JSON.parse(stdout);
}

/** The least a Node proxy does (pipe both ways over a keep-alive Agent, no checks): what the gateway's own work adds to. */
async function startBareProxy(upstreamUrl) {
  const { hostname, port } = new URL(upstreamUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const server = createServer((req, res) => {
    const out = request({ agent, hostname, port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    gateway: { url: `http://127.0.0.1:${server.address().port}` },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
}

async function measure(entry, upstream) {
  let base = upstream.url;
  let server;
  if (entry.bare) {
    server = await startBareProxy(upstream.url);
    base = server.gateway.url;
  } else if (entry.route) {
    const config = parseServerConfig({ roles: ['gateway'], gateway: { listen: '127.0.0.1:0', upstream: upstream.url, routes: [entry.route] } }, 'bench.toml');
    server = await startAuthServer({ config, logger: createLogger({ level: 'warn' }), gatewayProviders: entry.providers ?? [] });
    base = server.gateway.url;
  }
  try {
    const headers = entry.headers ?? {};
    await load(`${base}${PATH}`, headers, WARM_UP_SECONDS);
    const result = await load(`${base}${PATH}`, headers, SECONDS);
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${entry.name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
    return { name: entry.name, perSecond: result.requests.average, p99: result.latency.p99, authOff: entry.authOff === true };
  } finally {
    await server?.close();
  }
}

const upstream = await startUpstream();
try {
  const results = [];
  for (const entry of ROUTES) results.push(await measure(entry, upstream));
  const direct = results[0].perSecond;
  const authOff = results.find((result) => result.authOff).perSecond;
  console.log(`gateway throughput: GET ${PATH}, ${CONNECTIONS} connections, ${SECONDS} s each (autocannon), upstream a minimal node:http server`);
  console.log(`  ${''.padEnd(46)} ${'requests/s'.padStart(10)}   ${'p99'.padStart(7)}   to direct   to auth off`);
  for (const { name, perSecond, p99 } of results) {
    console.log(`  ${name.padEnd(46)} ${perSecond.toFixed(0).padStart(10)}   ${String(p99).padStart(4)} ms   ${(perSecond / direct).toFixed(2).padStart(9)}   ${(perSecond / authOff).toFixed(2).padStart(11)}`);
  }
} finally {
  upstream.stop();
  await meta.close();
  jwksServer.closeAllConnections();
  jwksServer.close();
}
