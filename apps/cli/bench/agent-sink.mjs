// `authctl agent` sinks (issue 15), beside `node -e 0`, timed side by side in
// one run (interleaved): reading the sink file (what kubectl's tokenFile and
// `$(cat …)` do), `print-token` with the agent running (it reads the sink),
// and `print-token` from the file store with no agent. Goal: the sink read
// >= 20x faster than bare Node. Run after `pnpm build`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFileStore, tokenKey } from '@auth/core';

const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const WARMUP = 5;
const SINK_TARGET = 20;

const authctl = fileURLToPath(new URL('../dist/authctl.cjs', import.meta.url));
if (!existsSync(authctl)) {
  console.error(`${authctl} is missing: run \`pnpm --filter @auth/cli build\` first`);
  process.exit(1);
}

/** A home with profile `bench` logged in (a one-hour token, so the agent needs no IdP during the run). */
async function home() {
  const dir = await mkdtemp(join(tmpdir(), 'authctl-bench-'));
  await chmod(dir, 0o700);
  await writeFile(
    join(dir, 'config.toml'),
    ['default_profile = "bench"', '', '[profiles.bench]', 'provider = "oidc"', 'issuer = "https://idp.example.com"', 'client_id = "authctl"', ''].join('\n'),
    { mode: 0o600 },
  );
  const now = Math.floor(Date.now() / 1000);
  await createFileStore({ dir: join(dir, 'state', 'credentials') }).set(tokenKey('bench'), {
    kind: 'oauth',
    flow: 'device',
    client_id: 'authctl',
    server: { issuer: 'https://idp.example.com', token_endpoint: 'https://idp.example.com/token' },
    tokens: { access_token: 'bench-access-token', token_type: 'Bearer', issued_at: now, expires_at: now + 3600, refresh_token: 'bench-refresh-token' },
  });
  return dir;
}

function envFor(dir) {
  const env = { ...process.env, AUTHCTL_HOME: dir };
  delete env.AUTHCTL_PROFILE;
  delete env.NODE_OPTIONS;
  return env;
}

const withAgent = await home();
const storeOnly = await home();
const agent = spawn(process.execPath, [authctl, 'agent', 'run', '--profile', 'bench'], { env: envFor(withAgent), stdio: ['ignore', 'ignore', 'pipe'] });
try {
  await new Promise((resolve, reject) => {
    let seen = '';
    agent.stderr.setEncoding('utf8').on('data', (chunk) => {
      seen += chunk;
      if (seen.includes('sink written')) resolve();
    });
    agent.on('exit', (code) => reject(new Error(`authctl agent exited ${code}: ${seen}`)));
  });
  const sinkFile = join(withAgent, 'sinks', 'bench', 'token');

  /** Wall time of one whole process in ms; a failure or unexpected output stops the benchmark. */
  function timeProcess(args, env) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    if (args.includes('print-token') && result.stdout !== 'bench-access-token\n') throw new Error(`print-token printed ${JSON.stringify(result.stdout)}`);
    return elapsed;
  }
  const measures = {
    node: () => timeProcess(['-e', '0'], envFor(storeOnly)),
    sinkRead: () => {
      const started = process.hrtime.bigint();
      const token = readFileSync(sinkFile, 'utf8');
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (token !== 'bench-access-token\n') throw new Error(`the sink holds ${JSON.stringify(token)}`);
      return elapsed;
    },
    printTokenAgent: () => timeProcess([authctl, 'print-token'], envFor(withAgent)),
    printTokenStore: () => timeProcess([authctl, 'print-token'], envFor(storeOnly)),
  };
  const names = Object.keys(measures);
  for (let i = 0; i < WARMUP; i += 1) for (const name of names) measures[name]();
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let i = 0; i < RUNS; i += 1) {
    // Rotate the order, so none always runs on a warmer cache.
    for (let j = 0; j < names.length; j += 1) {
      const name = names[(i + j) % names.length];
      samples[name].push(measures[name]());
    }
  }
  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 0 ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle];
  };
  const node = median(samples.node);
  console.log(`node -e 0 median ${node.toFixed(1)} ms`);
  const sink = median(samples.sinkRead);
  console.log(`sink read median ${sink.toFixed(3)} ms: ${(node / sink).toFixed(0)}x faster than node -e 0 (goal >= ${SINK_TARGET}x)`);
  for (const [name, label] of [['printTokenAgent', 'print-token, agent running'], ['printTokenStore', 'print-token, file store']]) {
    const value = median(samples[name]);
    console.log(`${label} median ${value.toFixed(1)} ms: ratio ${(value / node).toFixed(2)}x node -e 0`);
  }
  console.log(`(${RUNS} runs each, interleaved)`);
} finally {
  agent.kill('SIGTERM');
  await new Promise((resolve) => (agent.exitCode === null ? agent.on('exit', resolve) : resolve()));
  await rm(withAgent, { recursive: true, force: true });
  await rm(storeOnly, { recursive: true, force: true });
}
