// pnpm --filter @auth/server bench:flood [REQUESTS]: floods the built
// `auth-server --dev` with unauthenticated `GET /auth` requests (each one
// starts a sign-in) and prints its resident memory, sampled from
// /proc/<pid>/status, before, at its peak and after, with the size of the
// state file and whether /healthz kept answering. Loopback only; bounded in
// count (default 100,000) and time (5 minutes).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REQUESTS = Number(process.argv[2] ?? 100_000);
const CONCURRENCY = 16;
const TIME_LIMIT_MS = 5 * 60_000;
const BINARY = fileURLToPath(new URL('../dist/auth-server.js', import.meta.url));

const dataDir = await mkdtemp(join(tmpdir(), 'auth-server-flood-'));
const child = spawn(process.execPath, [BINARY, '--dev', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--log-level', 'warn'], {
  env: { ...process.env, AUTH_SERVER_DEV_PASSWORD: 'flood-password', AUTH_SERVER_DEV_CLIENT_SECRET: 'flood-client-secret-0123456789' },
  stdio: ['ignore', 'pipe', 'ignore'],
});
const issuer = await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
    const ready = /^ready (\S+)$/m.exec(out);
    if (ready) resolve(ready[1]);
  });
  child.once('exit', (code) => reject(new Error(`auth-server exited with ${code} before ready`)));
});

const rssMiB = async () => Number(/^VmRSS:\s+(\d+) kB$/m.exec(await readFile(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024;
const query = (n) =>
  new URLSearchParams({
    client_id: 'authctl',
    response_type: 'code',
    redirect_uri: 'http://127.0.0.1:1/callback',
    scope: 'openid',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    state: `flood-${n}`,
  });

try {
  const before = await rssMiB();
  let peak = before;
  let sent = 0;
  const statuses = {};
  const health = {};
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent < REQUESTS && performance.now() - started < TIME_LIMIT_MS) {
        const n = ++sent;
        const res = await fetch(`${issuer}/auth?${query(n)}`, { redirect: 'manual', signal: AbortSignal.timeout(10_000) }).catch((error) => ({ status: error.name }));
        await res.arrayBuffer?.();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (n % 5000 === 0) {
          peak = Math.max(peak, await rssMiB());
          const healthz = await fetch(`${issuer}/healthz`, { signal: AbortSignal.timeout(10_000) }).catch((error) => ({ status: error.name }));
          health[healthz.status] = (health[healthz.status] ?? 0) + 1;
          console.log(`${n} requests, RSS ${(await rssMiB()).toFixed(0)} MiB, ${((performance.now() - started) / 1000).toFixed(1)} s`);
        }
      }
    }),
  );
  const after = await rssMiB();
  const seconds = (performance.now() - started) / 1000;
  const stateFile = await stat(join(dataDir, 'issuer-state.json')).then((s) => s.size, () => 0);
  console.log(`\n${sent} GET /auth in ${seconds.toFixed(1)} s (${(sent / seconds).toFixed(0)}/s); statuses ${JSON.stringify(statuses)}`);
  console.log(`RSS before ${before.toFixed(0)} MiB, peak ${Math.max(peak, after).toFixed(0)} MiB, after ${after.toFixed(0)} MiB`);
  console.log(`state file ${stateFile} bytes; /healthz during the flood ${JSON.stringify(health)}; process ${child.exitCode === null ? 'alive' : `exited ${child.exitCode}`}`);
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve()));
  await rm(dataDir, { recursive: true, force: true });
}
