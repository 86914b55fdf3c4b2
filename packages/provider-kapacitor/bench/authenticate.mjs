// Basic authentications served by the caches (user cache + salted SHA-256 fast
// path) beside full bcrypt checks at Kapacitor's default cost (10), measured
// side by side in one run, interleaved so machine noise hits both alike.
// Prints rates and their ratio; asserts nothing. Run after `pnpm build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcryptjs';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
if (!existsSync(dist)) {
  console.error(`${dist} is missing: run \`pnpm --filter @auth/provider-kapacitor build\` first`);
  process.exit(1);
}
const { createKapacitor } = await import(dist);

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CACHED_PER_ROUND = 20_000;
const BCRYPT_PER_ROUND = 10;
const COST = 10;

const hash = bcrypt.hashSync('bench-pw', COST);
const directory = {
  url: 'memory:bench',
  async user(name) {
    return name === 'bench' ? { name, hash, admin: false, permissions: { '': ['KapacitorAPI'] } } : undefined;
  },
  async checkPassword() {
    return false;
  },
};
const provider = createKapacitor({ openDirectory: () => directory });
const authenticator = await provider.gateway.createAuthenticator(
  { auth: { 'meta-addr': 'bench.invalid:8091', 'bcrypt-cost': COST } },
  { where: 'bench', io: { fetch, timeoutMs: 5000 }, now: Date.now, env: {}, log: () => {} },
);
const request = {
  method: 'GET',
  path: '/kapacitor/v1/tasks',
  query: new URLSearchParams(),
  headers: { authorization: `Basic ${Buffer.from('bench:bench-pw').toString('base64')}` },
  signal: new AbortController().signal,
};
const first = await authenticator.authenticate(request);
if (!first.allow) throw new Error(`bench request was refused: ${first.body}`);

async function rate(count, run) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await run();
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

const cached = [];
const full = [];
for (let round = 0; round < ROUNDS; round++) {
  cached.push(await rate(CACHED_PER_ROUND, () => authenticator.authenticate(request)));
  full.push(await rate(BCRYPT_PER_ROUND, () => bcrypt.compare('bench-pw', hash)));
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const hits = median(cached);
const checks = median(full);
console.log(`Basic auth, cache hit:   ${hits.toFixed(0).padStart(8)} /s`);
console.log(`bcrypt check (cost ${COST}): ${checks.toFixed(1).padStart(8)} /s`);
console.log(`ratio (cache hit / bcrypt): ${(hits / checks).toFixed(0)}x, median of ${ROUNDS} interleaved rounds`);
