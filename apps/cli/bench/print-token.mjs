// `authctl print-token` with a valid cached token, beside `node -e 0`, timed
// side by side in one run (interleaved, so machine noise hits both alike).
// Target (issue 2, G1.a): median ratio <= 1.5x. Builds nothing: run after
// `pnpm build` (turbo's `bench` task depends on it).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFileStore, tokenKey } from '@auth/core';

const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const WARMUP = 5;
const TARGET = 1.5;

const authctl = fileURLToPath(new URL('../dist/authctl.cjs', import.meta.url));
if (!existsSync(authctl)) {
  console.error(`${authctl} is missing: run \`pnpm --filter @auth/cli build\` first`);
  process.exit(1);
}

const home = await mkdtemp(join(tmpdir(), 'authctl-bench-'));
await chmod(home, 0o700);
try {
  await writeFile(
    join(home, 'config.toml'),
    [
      'default_profile = "bench"',
      '',
      '[profiles.bench]',
      'provider = "oidc"',
      'issuer = "https://idp.example.com"',
      'client_id = "authctl"',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  // The real file store writes the cached token (0600 in a 0700 folder), exactly as a login would.
  const now = Math.floor(Date.now() / 1000);
  await createFileStore({ dir: join(home, 'state', 'credentials') }).set(tokenKey('bench'), {
    kind: 'oauth',
    flow: 'device',
    client_id: 'authctl',
    server: { issuer: 'https://idp.example.com', token_endpoint: 'https://idp.example.com/token' },
    tokens: { access_token: 'bench-access-token', token_type: 'Bearer', issued_at: now, expires_at: now + 3600, refresh_token: 'bench-refresh-token' },
  });

  const env = { ...process.env, AUTHCTL_HOME: home };
  delete env.AUTHCTL_PROFILE;
  delete env.NODE_OPTIONS;

  const commands = {
    node: [process.execPath, ['-e', '0']],
    printToken: [process.execPath, [authctl, 'print-token']],
  };

  /** Wall time of one run in ms; any failure or unexpected output stops the benchmark. */
  function time([command, args]) {
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { env, encoding: 'utf8' });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    if (args[1] === 'print-token' && result.stdout !== 'bench-access-token\n') {
      throw new Error(`print-token printed ${JSON.stringify(result.stdout)} instead of the cached token`);
    }
    return elapsed;
  }

  for (let i = 0; i < WARMUP; i += 1) {
    time(commands.node);
    time(commands.printToken);
  }
  const samples = { node: [], printToken: [] };
  for (let i = 0; i < RUNS; i += 1) {
    // Alternate which goes first, so neither always runs on a warmer cache.
    const order = i % 2 === 0 ? ['node', 'printToken'] : ['printToken', 'node'];
    for (const name of order) samples[name].push(time(commands[name]));
  }

  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 0 ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle];
  };
  const printToken = median(samples.printToken);
  const node = median(samples.node);
  const ratio = printToken / node;
  console.log(`print-token median ${printToken.toFixed(1)} ms`);
  console.log(`node -e 0 median ${node.toFixed(1)} ms`);
  console.log(`ratio ${ratio.toFixed(2)}x (target <= ${TARGET}x, ${RUNS} runs each, interleaved)`);
} finally {
  await rm(home, { recursive: true, force: true });
}
