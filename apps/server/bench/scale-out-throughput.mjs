// pnpm bench (apps/server): client-credentials tokens issued per second by
// one auth-server process on the data-folder backend, beside one, two and
// three processes sharing a real redis-server (each on its Unix socket, no
// relay), as ratios measured in one run. The load generator sends each
// request to the next instance in turn with the public issuer's Host, as a
// load balancer would. Everything shares this machine's cores: more instances
// than cores cannot scale, and the ratios show what Redis costs and what the
// extra processes buy here. Loopback only; each run is bounded in time and count.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startRedis } from '@auth/testkit';

const SECONDS = 3;
const MAX_REQUESTS = 100_000;
const CONCURRENCY = 16;
const SECRET = 'bench-client-secret-0123456789abcdef';
const BINARY = fileURLToPath(new URL('../dist/auth-server.js', import.meta.url));
const PUBLIC_ISSUER = 'http://127.0.0.1:8080';

/** One `auth-server --dev` process; resolves with the address it listens on, read from its log. */
async function startInstance(args) {
  const dataDir = await mkdtemp(join(tmpdir(), 'auth-server-bench-'));
  const child = spawn(process.execPath, [BINARY, '--dev', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--issuer', PUBLIC_ISSUER, ...args], {
    env: { ...process.env, AUTH_SERVER_DEV_PASSWORD: 'bench-password-0123456789', AUTH_SERVER_DEV_CLIENT_SECRET: SECRET, AUTH_SERVER_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const lines = createInterface({ input: child.stderr });
  // Logs at info, as a deployment would (one line per request, in every case alike); read until the listening line, then drained.
  const address = await new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      const match = /"event":"server\.listening".*?"address":"([^"]+)"/.exec(line);
      if (!match) return;
      lines.close();
      child.stderr.resume();
      resolve(match[1]);
    });
    exited.then((code) => reject(new Error(`auth-server exited (${code}) before listening`)));
  });
  return {
    address,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Client-credentials tokens/s over `instances`, round robin, `CONCURRENCY` keep-alive clients. */
async function measure(instances) {
  const targets = instances.map(({ address }) => {
    const at = address.lastIndexOf(':');
    return { host: address.slice(0, at), port: Number(address.slice(at + 1)), agent: new Agent({ keepAlive: true, maxSockets: CONCURRENCY }) };
  });
  const authorization = `Basic ${Buffer.from(`demo-service:${SECRET}`).toString('base64')}`;
  const body = 'grant_type=client_credentials';
  let next = 0;
  const issue = () =>
    new Promise((resolve, reject) => {
      const target = targets[next++ % targets.length];
      const req = request(
        {
          host: target.host,
          port: target.port,
          agent: target.agent,
          method: 'POST',
          path: '/token',
          timeout: 5000,
          headers: { host: new URL(PUBLIC_ISSUER).host, authorization, 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length },
        },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`token endpoint answered ${res.statusCode}`))));
        },
      );
      req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
      req.on('error', reject);
      req.end(body);
    });
  // Warm-up: each instance pays for its first scrypt check of the secret and JIT.
  for (let i = 0; i < 30 * targets.length; i++) await issue();
  let issued = 0;
  const until = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until && issued < MAX_REQUESTS) {
        await issue();
        issued++;
      }
    }),
  );
  for (const { agent } of targets) agent.destroy();
  return { perSecond: issued / ((performance.now() - started) / 1000), issued };
}

async function run(label, count, args) {
  const instances = [];
  try {
    for (let i = 0; i < count; i++) instances.push(await startInstance(args));
    return { label, ...(await measure(instances)) };
  } finally {
    await Promise.all(instances.map((instance) => instance.stop()));
  }
}

const redis = await startRedis();
const results = [];
try {
  results.push(await run('data folder, 1 instance', 1, []));
  for (const count of [1, 2, 3]) {
    results.push(await run(`Redis, ${count} instance${count > 1 ? 's' : ''}`, count, ['--state', `unix://${redis.socketPath}`]));
  }
} finally {
  await redis.close();
}

const [dataFolder, redisOne] = results;
const fmt = (n) => n.toFixed(0).padStart(7);
console.log(`client-credentials tokens issued/s (${SECONDS} s each, ${CONCURRENCY} keep-alive clients round robin over the instances, ${availableParallelism()} CPUs shared with the load generator and redis-server)`);
for (const { label, perSecond, issued } of results) {
  console.log(
    `  ${label.padEnd(26)} ${fmt(perSecond)}   (${String(issued).padStart(6)} tokens)   vs data folder ${(perSecond / dataFolder.perSecond).toFixed(2)}   vs Redis 1 instance ${(perSecond / redisOne.perSecond).toFixed(2)}`,
  );
}
