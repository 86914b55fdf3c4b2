import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthError, EXIT_CODES } from '@auth/core';
import { createTestCA, startBlackhole, startInfluxMetaDouble, type InfluxMetaDouble } from '@auth/testkit';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { MetaClient, type MetaClientOptions } from '../src/index.js';
import { serveLoop } from './support/redirect-loop.js';

const doubles: InfluxMetaDouble[] = [];
async function meta(options: Parameters<typeof startInfluxMetaDouble>[0] = {}): Promise<InfluxMetaDouble> {
  const double = await startInfluxMetaDouble(options);
  doubles.push(double);
  return double;
}
afterEach(async () => {
  await Promise.all(doubles.splice(0).map((d) => d.close()));
});

const admin = { username: 'admin', password: 'changeit' };
const client = (url: string, extra: Partial<MetaClientOptions> = {}) => new MetaClient({ url, credentials: admin, ...extra });

async function rejected(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!AuthError.is(error)) throw new Error(`expected an AuthError, got ${String(error)}`);
  return error;
}

describe('meta API users (docs-v2 authorization-api: POST /user actions, GET /user)', () => {
  it('create, change-password, add-permissions, remove-permissions and delete each change the meta node', async () => {
    const double = await meta();
    const api = client(double.url);
    await api.createUser('phantom', 'changeit2');
    expect(double.checkPassword('phantom', 'changeit2')).toBe(true);
    await api.changePassword('phantom', 'newpassword');
    expect(double.checkPassword('phantom', 'newpassword')).toBe(true);
    expect(double.checkPassword('phantom', 'changeit2')).toBe(false);
    await api.addUserPermissions('phantom', { '': ['KapacitorAPI', 'KapacitorConfigAPI'], mydb: ['ReadData', 'WriteData'] });
    await api.removeUserPermissions('phantom', { '': ['KapacitorConfigAPI'] });
    expect(await api.user('phantom')).toEqual({
      name: 'phantom',
      hash: double.user('phantom')!.hash,
      permissions: { '': ['KapacitorAPI'], mydb: ['ReadData', 'WriteData'] },
    });
    expect((await api.users()).map((u) => u.name).sort()).toEqual(['admin', 'phantom']);
    await api.deleteUser('phantom');
    expect(double.user('phantom')).toBeUndefined();
    expect(double.requests.filter((r) => r.method === 'POST').map((r) => (r.body as { action: string }).action)).toEqual([
      'create', 'change-password', 'add-permissions', 'remove-permissions', 'delete',
    ]);
  });

  it('an unknown user is undefined whether the node answers 404 {"error":"user not found"} or 200 {"users":[]}', async () => {
    const double = await meta();
    const api = client(double.url);
    expect(await api.user('ghost')).toBeUndefined();
    double.setUnknownUser('empty-list');
    expect(await api.user('ghost')).toBeUndefined();
  });

  it('a permission name this package does not know is kept as listed, not a decode failure (Kapacitor fails the whole decode)', async () => {
    const double = await meta();
    double.addUser('bob', 'pw', { '': ['KapacitorAPI'] });
    double.injectPermissions('bob', '', ['ManageFutureThing']);
    expect((await client(double.url).user('bob'))?.permissions).toEqual({ '': ['KapacitorAPI', 'ManageFutureThing'] });
  });

  it('deleting an unknown user is USAGE (exit 2) quoting the node and naming the URL', async () => {
    const double = await meta();
    const error = await rejected(client(double.url).deleteUser('ghost'));
    expect(error.code).toBe('USAGE');
    expect(EXIT_CODES[error.code]).toBe(2);
    expect(error.message).toBe(`the InfluxDB Enterprise meta node at ${double.url}/user: user not found`);
  });

  it('a wrong admin password is INVALID_CREDENTIALS (exit 4) naming the URL; the password is in no message', async () => {
    const double = await meta();
    const error = await rejected(client(double.url, { credentials: { username: 'admin', password: 'wrong-secret-pw' } }).users());
    expect(error.code).toBe('INVALID_CREDENTIALS');
    expect(EXIT_CODES[error.code]).toBe(4);
    expect(error.message).toBe(`the InfluxDB Enterprise meta node at ${double.url}/user refused the credentials: authorization failed`);
    expect(JSON.stringify({ m: error.message, h: error.hint })).not.toContain('wrong-secret-pw');
  });

  it('an unreachable node is NETWORK (exit 5) naming the URL', async () => {
    const double = await meta();
    const url = double.url;
    await double.close();
    const error = await rejected(client(url).users());
    expect(error.code).toBe('NETWORK');
    expect(EXIT_CODES[error.code]).toBe(5);
    expect(error.message).toBe(`Cannot reach the InfluxDB Enterprise meta node at ${url}/user`);
  });

  it('a node that never answers is TIMEOUT within the timeout', async () => {
    const hole = await startBlackhole();
    try {
      const error = await rejected(client(hole.url, { timeoutMs: 300 }).users());
      expect(error.code).toBe('TIMEOUT');
    } finally {
      await hole.close();
    }
  });
});

describe('meta API roles (POST /role actions, GET /role)', () => {
  it('create, add-permissions, remove-permissions, add-users, remove-users, delete; a fresh node lists {} as no roles', async () => {
    const double = await meta();
    double.addUser('johndoe', 'pa5sw0Rd');
    const api = client(double.url);
    expect(await api.roles()).toEqual([]);
    await api.createRole('kapacitor');
    await api.addRolePermissions('kapacitor', { '': ['KapacitorAPI', 'KapacitorConfigAPI'] });
    await api.removeRolePermissions('kapacitor', { '': ['KapacitorConfigAPI'] });
    await api.addRoleUsers('kapacitor', ['johndoe', 'admin']);
    await api.removeRoleUsers('kapacitor', ['admin']);
    expect(await api.roles('kapacitor')).toEqual([{ name: 'kapacitor', permissions: { '': ['KapacitorAPI'] }, users: ['johndoe'] }]);
    await api.deleteRole('kapacitor');
    expect(double.role('kapacitor')).toBeUndefined();
    expect(await api.roles('kapacitor')).toEqual([]);
  });

  it('a role that does not exist is USAGE for a write', async () => {
    const double = await meta();
    expect((await rejected(client(double.url).addRoleUsers('nope', ['admin']))).message).toContain('role not found');
  });
});

describe('307 from a follower (docs: "resend the request to the lead node as indicated by Location")', () => {
  it('a write is re-sent to the leader with its body and Authorization, and later requests go to the leader directly', async () => {
    const double = await meta({ followers: 2 });
    const api = client(double.followers[0]!);
    await api.createUser('phantom', 'changeit2');
    expect(double.checkPassword('phantom', 'changeit2')).toBe(true);
    expect(api.url).toBe(double.url);
    await api.createRole('spectre');
    expect(double.requests.map((r) => [r.node, r.method, r.target, r.auth])).toEqual([
      ['follower-0', 'POST', '/user', 'basic:admin'],
      ['leader', 'POST', '/user', 'basic:admin'],
      ['leader', 'POST', '/role', 'basic:admin'],
    ]);
    expect(double.requests[1]!.body).toEqual(double.requests[0]!.body);
  });

  it('more than 5 redirects is PROTOCOL, naming the node', async () => {
    // A "leader" that keeps pointing at itself through a follower: each hop is a 307.
    const loop = await serveLoop();
    try {
      const error = await rejected(client(loop.url).createUser('x', 'y'));
      expect(error.code).toBe('PROTOCOL');
      expect(error.message).toContain('redirected more than 5 times');
      expect(loop.hits()).toBe(6);
    } finally {
      await loop.close();
    }
  });
});

describe('shared-secret JWT (HS512 {"username","exp": now+5m}, as Kapacitor and Chronograf sign)', () => {
  it('signs each request with the secret; the meta node accepts it and sees the username claim', async () => {
    const double = await meta({ sharedSecret: 'public-secret', internalSharedSecret: 'internal-secret' });
    let seen: string | undefined;
    const spy: typeof fetch = (input, init) => {
      seen = new Headers(init?.headers).get('authorization') ?? undefined;
      return fetch(input, init);
    };
    const api = client(double.url, { credentials: { sharedSecret: 'public-secret', username: 'admin' }, fetch: spy, now: () => 1_900_000_000 });
    await api.createUser('kap', 'pw');
    const token = seen!.slice('Bearer '.length);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS512', typ: 'JWT' });
    expect(decodeJwt(token)).toEqual({ username: 'admin', exp: 1_900_000_000 + 300 });

    const internal = client(double.url, { credentials: { sharedSecret: 'internal-secret' } });
    expect((await internal.user('kap'))?.name).toBe('kap');
    expect(double.requests.at(-1)!.auth).toBe('bearer:');
  });

  it('a wrong secret is INVALID_CREDENTIALS with a hint about the shared secret', async () => {
    const double = await meta({ sharedSecret: 'public-secret' });
    const error = await rejected(client(double.url, { credentials: { sharedSecret: 'wrong', username: 'admin' } }).users());
    expect(error.code).toBe('INVALID_CREDENTIALS');
    expect(error.hint).toContain('shared secret');
  });
});

describe('TLS (Kapacitor meta-ca, meta-cert, meta-key, meta-insecure-skip-verify)', () => {
  it('trusts the CA file and presents the client certificate the node requires; without the certificate the handshake fails', async () => {
    const ca = await createTestCA();
    const dir = await mkdtemp(join(tmpdir(), 'influx-meta-tls-'));
    try {
      const files = { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'client.pem'), keyFile: join(dir, 'client.key') };
      await Promise.all([writeFile(files.caFile, ca.ca), writeFile(files.certFile, ca.clientCert), writeFile(files.keyFile, ca.clientKey)]);
      const double = await meta({ tls: { cert: ca.cert, key: ca.key, clientCa: ca.ca } });
      expect(double.url.startsWith('https://')).toBe(true);
      expect((await client(double.url, { tls: files }).users()).map((u) => u.name)).toEqual(['admin']);
      const refused = await rejected(client(double.url, { tls: { caFile: files.caFile } }).users());
      expect(refused.code).toBe('NETWORK');
      const skipped = client(double.url, { tls: { insecureSkipVerify: true, certFile: files.certFile, keyFile: files.keyFile } });
      expect((await skipped.users()).length).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
