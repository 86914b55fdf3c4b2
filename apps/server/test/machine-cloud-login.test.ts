import awsIam from '@auth/provider-aws-iam';
import { startAwsStsDouble, startKubernetesApiDouble, type AwsStsDouble, type KubernetesApiDouble } from '@auth/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startMachineServer, withoutRequestId, type MachineServer } from './support/machine-server.js';
import { removeDataDir } from './support/test-server.js';

/**
 * Cloud logins through auth-server's login API, verified by the providers the
 * server has among its dependencies (no provider injected): a Kubernetes
 * projected token checked by TokenReview at a Kubernetes API double, and a
 * SigV4-signed GetCallerIdentity checked at an AWS STS double.
 */

const UNIFORM_401 = { statusCode: 401, message: 'Invalid credentials', error: 'UnauthorizedError' };
const AUDIENCE = 'https://auth.example.com';
const SERVER_ID = 'auth.example.com';

let kubernetes: KubernetesApiDouble;
let reviewerJwt: string;
let sts: AwsStsDouble;
beforeAll(async () => {
  kubernetes = await startKubernetesApiDouble();
  // A token bound to system:auth-delegator: a login token for our audience cannot review itself.
  reviewerJwt = await kubernetes.projectedToken(kubernetes.createServiceAccount('kube-system', 'auth-reviewer', { reviewer: true }), { lifetimeSeconds: 3600 });
  sts = await startAwsStsDouble({ region: 'eu-west-1' });
});
afterAll(async () => {
  await kubernetes.close();
  await sts.close();
});

const running: MachineServer[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) {
    await server.close();
    await removeDataDir(server.dataDir);
  }
});

async function serve(): Promise<MachineServer> {
  const server = await startMachineServer({
    identities: [
      {
        id: 'ci-pods',
        methods: {
          'kubernetes-auth': { kubernetes_host: kubernetes.url, token_reviewer_jwt: reviewerJwt, allowed_namespaces: ['ci'], allowed_audience: AUDIENCE },
        },
      },
      {
        id: 'ci-aws',
        methods: {
          'aws-auth': { region: 'eu-west-1', sts_endpoint: sts.url, server_id: SERVER_ID, allowed_account_ids: [sts.account] },
        },
      },
    ],
  });
  running.push(server);
  return server;
}

describe('cloud logins verified by the providers auth-server depends on', () => {
  test('kubernetes-auth: a projected token for the bound audience logs in; one for the API server, or from another namespace, gets the uniform 401', async () => {
    const server = await serve();
    const runner = kubernetes.createServiceAccount('ci', 'runner');
    const login = await server.post('kubernetes-auth/login', { identityId: 'ci-pods', jwt: await kubernetes.projectedToken(runner, { audiences: [AUDIENCE] }) });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const { payload } = await server.verifyOffline(String(login.body.accessToken));
    expect(payload.sub).toBe('ci-pods');
    expect(kubernetes.reviews.at(-1)?.audiences).toEqual([AUDIENCE]);

    const forTheApiServer = await server.post('kubernetes-auth/login', { identityId: 'ci-pods', jwt: await kubernetes.projectedToken(runner) });
    expect(forTheApiServer.status).toBe(401);
    expect(withoutRequestId(forTheApiServer.body)).toEqual(UNIFORM_401);

    const elsewhere = kubernetes.createServiceAccount('prod', 'runner');
    const fromProd = await server.post('kubernetes-auth/login', { identityId: 'ci-pods', jwt: await kubernetes.projectedToken(elsewhere, { audiences: [AUDIENCE] }) });
    expect(fromProd.status).toBe(401);
    expect(withoutRequestId(fromProd.body)).toEqual(UNIFORM_401);
  });

  test('aws-auth: the provider\'s signed GetCallerIdentity logs in, as JSON and as a form; one signed for another server id gets the uniform 401', async () => {
    const server = await serve();
    const prove = (serverId: string) =>
      awsIam.proof!.prove({
        method: 'aws-iam',
        settings: { region: 'eu-west-1', sts_endpoint: sts.url, server_id: serverId },
        identityId: 'ci-aws',
        options: {},
        env: { AWS_ACCESS_KEY_ID: sts.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: sts.credentials.secretAccessKey },
        io: { fetch, signal: AbortSignal.timeout(10_000), timeoutMs: 10_000, allowInsecureHttp: true, env: {} },
        profile: 'ci',
        file: '/dev/null',
      });

    const proof = await prove(SERVER_ID);
    expect(proof.loginMethod).toBe('aws-auth');
    for (const form of [false, true]) {
      const login = await server.post('aws-auth/login', { ...proof.body }, { form });
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      expect((await server.verifyOffline(String(login.body.accessToken))).payload.sub).toBe('ci-aws');
    }

    const forAnotherServer = await server.post('aws-auth/login', { ...(await prove('other.example.com')).body });
    expect(forAnotherServer.status).toBe(401);
    expect(withoutRequestId(forAnotherServer.body)).toEqual(UNIFORM_401);
  });
});
