import type { InsightsRealm } from '@auth/provider-keycloak/testing';
import { describe, expect } from 'vitest';
import { filesContaining } from '../flows/support/files-containing.js';
import { configToml } from '../support/profiles.js';
import type { RunResult, Sandbox } from '../support/sandbox.js';
import { keycloak, realmTest } from './support/realm-fixtures.js';

const test = realmTest('admin');

/** authctl as the realm's administrator (profile `ops`); every output kept for the "never printed" checks. */
async function administrator(sandbox: Sandbox, realm: string) {
  const server = keycloak();
  await sandbox.writeConfig(configToml({ ops: { provider: 'keycloak', url: server.url, realm, admin: { username: server.admin.username } } }, 'ops'));
  const outputs: RunResult[] = [];
  const run = async (args: string[], options: { input?: string; code?: number } = {}) => {
    const result = await sandbox.run(args, { input: options.input, env: { AUTHCTL_ADMIN_PASSWORD: server.admin.password } });
    outputs.push(result);
    expect(result.code, `authctl ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(options.code ?? 0);
    return result;
  };
  const json = async (args: string[], options: { input?: string } = {}) => JSON.parse((await run([...args, '--json'], options)).stdout);
  /** The master admin password is in no file under AUTHCTL_HOME and in no output; no admin token was cached. */
  const expectNothingKept = async () => {
    expect(await filesContaining(sandbox.home, server.admin.password)).toEqual([]);
    for (const { stdout, stderr } of outputs) expect(`${stdout}${stderr}`).not.toContain(server.admin.password);
    expect(await sandbox.credentialFiles(), 'the admin token is never cached').toEqual([]);
  };
  return { run, json, expectNothingKept };
}

/** RFC 6749 §4.4 at the realm: the token's lifetime in seconds, or the status Keycloak refused with. */
async function clientCredentials(tokenUrl: string, clientId: string, secret: string): Promise<{ status: number; lifetime?: number }> {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) return { status: response.status };
  const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number; iat: number };
  return { status: response.status, lifetime: claims.exp - claims.iat };
}

// kdb Insights' ClientManager: https://code.kx.com/insights/1.19/api/python/reference/authorization/client.html
describe("ClientManager parity through `authctl keycloak clients` against a real Keycloak", () => {
  test('register creates, then upserts (same UUID, secret updated); token_lifespan is in the attributes and in the issued token; get/list with and without secret; update keeps the secret; delete by UUID; the admin password is kept nowhere', async ({
    realm,
    sandbox,
  }) => {
    const { json, expectNothingKept } = await administrator(sandbox, realm.name);
    const server = keycloak().url;

    const created = await json(['keycloak', 'clients', 'register', 'ingest', '--roles', 'insights.query', '--token-lifespan', '120']);
    expect(created).toEqual({ host: server, id: 'ingest', secret: expect.any(String), uuid: expect.any(String) });
    expect(await clientCredentials(realm.endpoints.token, 'ingest', created.secret)).toEqual({ status: 200, lifetime: 120 });

    const again = await json(['keycloak', 'clients', 'register', 'ingest', '--roles', 'insights.query', '--secret-stdin'], { input: 'rotated-secret-2\n' });
    expect(again, 'an upsert shows no secret').toEqual({ host: server, id: 'ingest', uuid: created.uuid });
    expect((await clientCredentials(realm.endpoints.token, 'ingest', created.secret)).status, 'the first secret is replaced').toBe(401);
    expect(await clientCredentials(realm.endpoints.token, 'ingest', 'rotated-secret-2')).toEqual({ status: 200, lifetime: 120 });

    const listed = await json(['keycloak', 'clients', 'list']);
    expect(listed).toContainEqual({ host: server, id: 'ingest', uuid: created.uuid });
    expect(listed.every((client: { secret?: string }) => client.secret === undefined)).toBe(true);
    expect(await json(['keycloak', 'clients', 'list', '--client-id', 'ingest', '--with-secret'])).toEqual([
      { host: server, id: 'ingest', uuid: created.uuid, secret: 'rotated-secret-2' },
    ]);
    expect(await json(['keycloak', 'clients', 'get', 'ingest'])).toEqual({ host: server, id: 'ingest', uuid: created.uuid });
    expect(await json(['keycloak', 'clients', 'get', 'ingest', '--with-secret'])).toMatchObject({ secret: 'rotated-secret-2' });

    expect(await json(['keycloak', 'clients', 'update', 'ingest', '--token-lifespan', '900'])).toEqual({ host: server, id: 'ingest', uuid: created.uuid });
    const stored = await realm.admin.clients.getClient('ingest');
    expect(stored.secret, 'update keeps the secret').toBe('rotated-secret-2');
    expect((await clientRepresentation(realm.name, created.uuid)).attributes['access.token.lifespan']).toBe('900');
    expect(await clientCredentials(realm.endpoints.token, 'ingest', 'rotated-secret-2')).toEqual({ status: 200, lifetime: 900 });

    await json(['keycloak', 'clients', 'delete', created.uuid]);
    expect(await json(['keycloak', 'clients', 'list', '--client-id', 'ingest'])).toEqual([]);
    await expectNothingKept();
  });

  test('--roles all | list | none: the service account gets every realm role, the listed ones, or none beyond the default', async ({ realm, sandbox }) => {
    const { json, expectNothingKept } = await administrator(sandbox, realm.name);
    await json(['keycloak', 'clients', 'register', 'every', '--roles', 'all']);
    await json(['keycloak', 'clients', 'register', 'some', '--roles', 'insights.query,insights.schema.get']);
    await json(['keycloak', 'clients', 'register', 'bare', '--roles', 'none']);
    const realmRoles = (await json(['keycloak', 'roles', 'list'])).map((role: { name: string }) => role.name).sort();
    const defaults = `default-roles-${realm.name}`;

    expect(await realm.admin.users.userRoles('service-account-every')).toEqual(realmRoles);
    expect(await realm.admin.users.userRoles('service-account-some')).toEqual([defaults, 'insights.query', 'insights.schema.get']);
    expect(await realm.admin.users.userRoles('service-account-bare')).toEqual([defaults]);
    await expectNothingKept();
  });
});

describe("kxi's `user` command through `authctl keycloak users` against a real Keycloak", () => {
  test('create with names and a temporary password (Keycloak then refuses the password until it is changed), reset it permanent, assign and remove realm roles, delete; the admin token is never cached', async ({
    realm,
    sandbox,
  }) => {
    const { json, expectNothingKept } = await administrator(sandbox, realm.name);
    const create = ['keycloak', 'users', 'create', 'carol', '--email', 'carol@example.com', '--first-name', 'Carol', '--last-name', 'Example'];
    const user = await json([...create, '--password-stdin', '--temporary'], { input: 'carol-pass-1\n' });
    expect(user).toEqual({ id: expect.any(String), username: 'carol', email: 'carol@example.com', enabled: true });
    expect(await passwordGrant(realm, 'carol', 'carol-pass-1'), 'a temporary password must be changed first').toEqual({
      status: 400,
      error: 'invalid_grant',
      error_description: 'Account is not fully set up',
    });

    await json(['keycloak', 'users', 'set-password', 'carol', '--password-stdin'], { input: 'carol-pass-2\n' });
    expect(await passwordGrant(realm, 'carol', 'carol-pass-2')).toEqual({ status: 200 });
    await json(['keycloak', 'users', 'set-password', 'carol', '--password-stdin', '--temporary'], { input: 'carol-pass-3\n' });
    expect((await passwordGrant(realm, 'carol', 'carol-pass-3')).error_description).toBe('Account is not fully set up');

    expect(await json(['keycloak', 'users', 'assign-roles', 'carol', 'insights.query', 'insights.admin'])).toEqual({
      username: 'carol',
      assigned: ['insights.query', 'insights.admin'],
      roles: [`default-roles-${realm.name}`, 'insights.admin', 'insights.query'],
    });
    expect(await json(['keycloak', 'users', 'unassign-roles', 'carol', 'insights.admin'])).toMatchObject({ unassigned: ['insights.admin'] });
    expect(await realm.admin.users.userRoles('carol')).toEqual([`default-roles-${realm.name}`, 'insights.query']);
    expect((await json(['keycloak', 'users', 'list', '--search', 'carol'])).map((u: { username: string }) => u.username)).toEqual(['carol']);

    await json(['keycloak', 'users', 'delete', 'carol']);
    expect(await realm.admin.users.findUser('carol')).toBeUndefined();
    await expectNothingKept();
  });

  test("errors carry Keycloak's own words: a taken username (409) and an unknown role exit 2, a wrong admin password exits 4", async ({ realm, sandbox }) => {
    const { run } = await administrator(sandbox, realm.name);
    await run(['keycloak', 'users', 'create', 'dave']);
    expect((await run(['keycloak', 'users', 'create', 'dave'], { code: 2 })).stderr).toContain('User exists with same username');
    expect((await run(['keycloak', 'users', 'assign-roles', 'dave', 'no.such.role'], { code: 2 })).stderr).toContain('No realm role "no.such.role"');

    const denied = await sandbox.run(['keycloak', 'roles', 'list', '--json'], { env: { AUTHCTL_ADMIN_PASSWORD: 'wrong-admin-password' } });
    expect(denied.code, denied.stderr).toBe(4);
    expect(JSON.parse(denied.stdout)).toMatchObject({ event: 'error', code: 'INVALID_CREDENTIALS' });
  });
});

describe('the answers the admin double copies (packages/provider-keycloak/test/admin-double-parity.test.ts), from Keycloak itself', () => {
  test('wrong admin password 400 invalid_grant; empty password 400 "Empty password not allowed"; blank clientId 400 "Client ID cannot be blank"; a taken clientId on update 409 "Duplicate resource error"', async ({
    realm,
  }) => {
    const server = keycloak();
    const refused = await fetch(`${server.url}/realms/master/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: server.admin.username, password: 'wrong-password' }),
      signal: AbortSignal.timeout(15_000),
    });
    expect({ status: refused.status, body: await refused.json() }).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'Invalid user credentials' } });

    const failure = async (promise: Promise<unknown>) => {
      const error = (await promise.then(() => undefined, (e: unknown) => e)) as { message: string; details: { status: number } } | undefined;
      return { status: error?.details.status, message: error?.message.split(': ').pop() };
    };
    await realm.admin.users.createUser('ivan');
    expect(await failure(realm.admin.users.setPassword('ivan', ''))).toEqual({ status: 400, message: 'Empty password not allowed' });
    expect(await failure(realm.admin.clients.registerNewClient(''))).toEqual({ status: 400, message: 'Client ID cannot be blank' });
    const other = await realm.admin.clients.registerNewClient('renamed');
    expect(await failure(realm.admin.clients.updateClient(other, { config: { clientId: realm.clients.app } }))).toEqual({ status: 409, message: 'Duplicate resource error' });
  });
});

/** The client as Keycloak holds it (`GET /admin/realms/R/clients/{uuid}`). */
async function clientRepresentation(realm: string, uuid: string): Promise<{ attributes: Record<string, string> }> {
  const response = await fetch(`${keycloak().url}/admin/realms/${realm}/clients/${uuid}`, {
    headers: { authorization: `Bearer ${await adminToken()}` },
    signal: AbortSignal.timeout(15_000),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { attributes: Record<string, string> };
}

async function adminToken(): Promise<string> {
  const server = keycloak();
  const response = await fetch(`${server.url}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: server.admin.username, password: server.admin.password }),
    signal: AbortSignal.timeout(15_000),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** RFC 6749 §4.3 through the realm's password-grant client: the status and error, if any. */
async function passwordGrant(realm: InsightsRealm, username: string, password: string) {
  const response = await fetch(realm.endpoints.token, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', client_id: realm.clients.direct, username, password }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await response.json()) as { error?: string; error_description?: string };
  return { status: response.status, ...(body.error ? { error: body.error, error_description: body.error_description } : {}) };
}
