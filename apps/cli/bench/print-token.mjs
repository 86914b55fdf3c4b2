// `authctl print-token` with a valid cached token, from the file store and
// from the keyring store (gnome-keyring in a private D-Bus session), beside
// `node -e 0`, timed side by side in one run (interleaved, so machine noise
// hits all alike). Targets: file store <= 1.5x (issue 2, G1.a), keyring store
// <= 1.3x (issue 15). Builds nothing: run after `pnpm build` (turbo's `bench`
// task depends on it).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFileStore, createKeyringStore, tokenKey } from '@auth/core';
import { startKeyringSession } from '@auth/testkit';

const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const WARMUP = 5;
const TARGETS = { printToken: 1.5, printTokenKeyring: 1.3 };

const authctl = fileURLToPath(new URL('../dist/authctl.cjs', import.meta.url));
if (!existsSync(authctl)) {
  console.error(`${authctl} is missing: run \`pnpm --filter @auth/cli build\` first`);
  process.exit(1);
}

const home = await mkdtemp(join(tmpdir(), 'authctl-bench-'));
const keyringHome = await mkdtemp(join(tmpdir(), 'authctl-bench-keyring-'));
await chmod(home, 0o700);
await chmod(keyringHome, 0o700);
const keyring = await startKeyringSession();
try {
  const profile = [
      'default_profile = "bench"',
      '',
      '[profiles.bench]',
      'provider = "oidc"',
      'issuer = "https://idp.example.com"',
      'client_id = "authctl"',
      '',
  ];
  await writeFile(join(home, 'config.toml'), profile.join('\n'), { mode: 0o600 });
  await writeFile(join(keyringHome, 'config.toml'), [...profile, '[store]', 'backend = "keyring"', ''].join('\n'), { mode: 0o600 });
  // The real stores write the cached token (a 0600 file in a 0700 folder; a keyring item), exactly as a login would.
  const now = Math.floor(Date.now() / 1000);
  const credential = {
    kind: 'oauth',
    flow: 'device',
    client_id: 'authctl',
    server: { issuer: 'https://idp.example.com', token_endpoint: 'https://idp.example.com/token' },
    tokens: { access_token: 'bench-access-token', token_type: 'Bearer', issued_at: now, expires_at: now + 3600, refresh_token: 'bench-refresh-token' },
  };
  await createFileStore({ dir: join(home, 'state', 'credentials') }).set(tokenKey('bench'), credential);
  process.env.DBUS_SESSION_BUS_ADDRESS = keyring.address;
  await createKeyringStore({ storePath: join(keyringHome, 'state') }).set(tokenKey('bench'), credential);

  const env = { ...process.env, AUTHCTL_HOME: home };
  delete env.AUTHCTL_PROFILE;
  delete env.NODE_OPTIONS;
  const keyringEnv = { ...env, AUTHCTL_HOME: keyringHome };

  const commands = {
    node: [process.execPath, ['-e', '0'], env],
    printToken: [process.execPath, [authctl, 'print-token'], env],
    printTokenKeyring: [process.execPath, [authctl, 'print-token'], keyringEnv],
  };

  /** Wall time of one run in ms; any failure or unexpected output stops the benchmark. */
  function time([command, args, env]) {
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { env, encoding: 'utf8' });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    if (args[1] === 'print-token' && result.stdout !== 'bench-access-token\n') {
      throw new Error(`print-token printed ${JSON.stringify(result.stdout)} instead of the cached token`);
    }
    return elapsed;
  }

  const names = Object.keys(commands);
  for (let i = 0; i < WARMUP; i += 1) for (const name of names) time(commands[name]);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let i = 0; i < RUNS; i += 1) {
    // Rotate which goes first, so none always runs on a warmer cache.
    const order = names.map((_, j) => names[(i + j) % names.length]);
    for (const name of order) samples[name].push(time(commands[name]));
  }

  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 0 ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle];
  };
  const node = median(samples.node);
  console.log(`node -e 0 median ${node.toFixed(1)} ms`);
  const labels = { printToken: 'print-token (file store)', printTokenKeyring: 'print-token (keyring store)' };
  for (const [name, target] of Object.entries(TARGETS)) {
    const value = median(samples[name]);
    console.log(`${labels[name]} median ${value.toFixed(1)} ms, ratio ${(value / node).toFixed(2)}x (target <= ${target}x)`);
  }
  console.log(`${RUNS} runs each, interleaved`);
} finally {
  await keyring.stop();
  await rm(home, { recursive: true, force: true });
  await rm(keyringHome, { recursive: true, force: true });
}
