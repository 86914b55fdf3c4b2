import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis, type RedisServer } from '@auth/testkit';
import { stringify } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEV_RESOURCE } from '../src/index.js';
import { start, type RunningBinary } from './support/binary.js';
import { signInOverHttp } from './support/http-user.js';
import { LOST_HEADER, startCluster, type Cluster } from './support/cluster.js';
import { DEMO_PASSWORD, SERVICE_SECRET } from './support/credentials.js';
import { authorizationRequest, cli, discover, exchangeCode } from './support/oauth-client.js';

/**
 * Failover with the instances as real processes behind a balancer on one
 * real redis-server: one instance SIGKILLed under a bounded load (a fixed
 * number of requests, loopback only) of client credentials, refreshes and
 * gateway requests carrying the cluster's tokens, then Redis itself restarted.
 */

let redis: RedisServer;
let cluster: Cluster;
let gateway: RunningBinary;
let upstream: Server;
let dir: string;

beforeAll(async () => {
  redis = await startRedis();
  cluster = await startCluster(redis.url, 3);
  // A gateway-only auth-server in front of a small upstream, verifying the cluster's access tokens against its JWKS (through the balancer).
  upstream = createServer((_request, response) => response.end('upstream ok'));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  dir = await mkdtemp(join(tmpdir(), 'failover-gateway-'));
  const config = join(dir, 'gateway.toml');
  await writeFile(
    config,
    stringify({
      roles: ['gateway'],
      gateway: {
        listen: '127.0.0.1:0',
        upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
        routes: [
          {
            prefix: '/api',
            provider: 'oidc',
            auth: {
              identityProvider: 'auth-server',
              jwksEndpoint: `${cluster.issuer}/jwks`,
              users: [{ id: 'demo-service', firstName: 'Demo', lastName: 'Service', email: 'demo-service@example.invalid' }],
              issuer: cluster.issuer,
              audience: DEV_RESOURCE,
            },
          },
        ],
      },
    }),
    { mode: 0o600 },
  );
  gateway = await start(['--config', config]);
});

afterAll(async () => {
  await gateway?.stop();
  await cluster?.close();
  await redis?.close();
  upstream?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  error?: string;
  lost: boolean;
  body: Record<string, unknown>;
}

async function token(form: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${cluster.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  const text = await res.text();
  const body = res.headers.has(LOST_HEADER) ? {} : (JSON.parse(text) as Record<string, unknown>);
  return { status: res.status, lost: res.headers.has(LOST_HEADER), body, ...(typeof body.error === 'string' ? { error: body.error } : {}) };
}

async function throughGateway(accessToken: string): Promise<Answer> {
  const res = await fetch(`${gateway.issuer}/api/v1/ping`, { headers: { authorization: `Bearer ${accessToken}` } });
  await res.text();
  return { status: res.status, lost: false, body: {} };
}

const serviceAuth = { authorization: `Basic ${Buffer.from(`demo-service:${SERVICE_SECRET}`).toString('base64')}` };
const clientCredentials = () => token({ grant_type: 'client_credentials' }, serviceAuth);
const refresh = (refreshToken: string) => token({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: cli.client_id });

async function signedInRefreshToken(): Promise<string> {
  const as = await discover(cluster.issuer);
  const redirectUri = 'http://127.0.0.1:53682/callback';
  const request = await authorizationRequest(as, redirectUri);
  const callback = await signInOverHttp(request.url.href, redirectUri, 'demo', DEMO_PASSWORD);
  return (await exchangeCode(as, request, callback)).refresh_token!;
}

describe('failover', () => {
  test('one instance SIGKILLed under mixed client-credentials, refresh and gateway load: survivors answer no 5xx, no invalid_grant from races, nothing lost beyond what was in flight', async () => {
    const WORKERS = 6;
    const REQUESTS_PER_WORKER = 40;
    const KILL_AFTER = (WORKERS * REQUESTS_PER_WORKER) / 3;
    const victim = 1;
    const chains = await Promise.all(Array.from({ length: WORKERS }, signedInRefreshToken));
    const answersBefore = cluster.balancer.answers.length;

    let done = 0;
    let killed: Promise<unknown> | undefined;
    const outcomes: Array<{ kind: 'client_credentials' | 'refresh' | 'gateway'; answer: Answer }> = [];
    const worker = async (w: number) => {
      let refreshToken: string | undefined = chains[w];
      let accessToken: string | undefined;
      for (let i = 0; i < REQUESTS_PER_WORKER; i++) {
        const kind = i % 3 === 1 && refreshToken !== undefined ? 'refresh' : i % 3 === 2 && accessToken !== undefined ? 'gateway' : 'client_credentials';
        const answer = kind === 'refresh' ? await refresh(refreshToken!) : kind === 'gateway' ? await throughGateway(accessToken!) : await clientCredentials();
        outcomes.push({ kind, answer });
        if (kind === 'client_credentials' && answer.status === 200) accessToken = String(answer.body.access_token);
        if (kind === 'refresh') {
          // A rotation whose answer died with its instance cannot be retried (the old token is spent): that chain ends, as a login lost in flight.
          refreshToken = answer.status === 200 ? String(answer.body.refresh_token) : undefined;
        }
        if (++done === KILL_AFTER) {
          const { child } = cluster.instances[victim]!.binary;
          child.kill('SIGKILL');
          killed = cluster.instances[victim]!.binary.exited;
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    await killed;

    const lost = outcomes.filter(({ answer }) => answer.lost);
    const answered = outcomes.filter(({ answer }) => !answer.lost);
    // Only what the victim held at the kill can be lost: at most one request per worker.
    expect(lost.length).toBeLessThanOrEqual(WORKERS);
    expect(answered.filter(({ answer }) => answer.status >= 500)).toEqual([]);
    expect(answered.filter(({ answer }) => answer.error === 'invalid_grant')).toEqual([]);
    expect(answered.filter(({ answer }) => answer.status !== 200)).toEqual([]);
    const survivorAnswers = cluster.balancer.answers.slice(answersBefore).filter(({ backend }) => backend !== victim);
    expect(survivorAnswers.length).toBeGreaterThan(KILL_AFTER);
    expect(survivorAnswers.filter(({ status }) => status >= 500)).toEqual([]);
    expect(outcomes).toHaveLength(WORKERS * REQUESTS_PER_WORKER);
    for (const kind of ['client_credentials', 'refresh', 'gateway'] as const) {
      expect(answered.filter((outcome) => outcome.kind === kind && outcome.answer.status === 200).length, kind).toBeGreaterThan(WORKERS);
    }
  });

  test('Redis restarted: requests that need it get 503 temporarily_unavailable at once (no hang), and succeed again once it is back', async () => {
    const survivors = cluster.instances.filter(({ binary }) => binary.child.exitCode === null && binary.child.signalCode === null);
    expect((await clientCredentials()).status).toBe(200);

    const down = survivors.map(({ binary }) => binary.stderrMatch(/"event":"state\.redis_unavailable"/));
    await redis.stop();
    const during = await Promise.all(Array.from({ length: 6 }, clientCredentials));
    for (const answer of during) expect(answer).toMatchObject({ status: 503, error: 'temporarily_unavailable' });
    await Promise.all(down);

    const back = survivors.map(({ binary }) => binary.stderrMatch(/"event":"state\.redis_recovered"/));
    await redis.restart();
    await Promise.all(back);
    const after = await Promise.all(Array.from({ length: 6 }, clientCredentials));
    for (const answer of after) expect(answer.status).toBe(200);
    // A login works end to end again, on the empty Redis.
    expect(await signedInRefreshToken()).toEqual(expect.any(String));
  });

  test('SIGTERM drains: an instance stopped under load finishes what it holds and exits 0, and no request is lost', async () => {
    const leaving = await cluster.add();
    const WORKERS = 6;
    const REQUESTS_PER_WORKER = 20;
    let done = 0;
    let stopped: Promise<number | null> | undefined;
    const answers: Answer[] = [];
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        for (let i = 0; i < REQUESTS_PER_WORKER; i++) {
          answers.push(await clientCredentials());
          if (++done === (WORKERS * REQUESTS_PER_WORKER) / 3) stopped = leaving.binary.stop();
        }
      }),
    );
    expect(await stopped).toBe(0);
    expect(answers.filter((answer) => answer.lost || answer.status !== 200)).toEqual([]);
    expect(answers).toHaveLength(WORKERS * REQUESTS_PER_WORKER);
  });
});
