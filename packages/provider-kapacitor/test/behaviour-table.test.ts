import { beforeAll, describe, expect, it } from 'vitest';
import { basic, expectAllowed, expectDenied, expectKapacitorError, harness, type Harness } from './support/harness.js';

/**
 * Kapacitor's authorization (influxdata/kapacitor `auth/auth.go`,
 * `services/httpd/handler.go`, `convertPMPermissions` in
 * `services/auth/service.go`), one row per privilege set × method × path.
 */
const USERS: Record<string, { permissions: Record<string, string[]>; admin?: boolean }> = {
  api: { permissions: { '': ['KapacitorAPI'] } },
  config: { permissions: { '': ['KapacitorConfigAPI'] } },
  both: { permissions: { '': ['KapacitorAPI', 'KapacitorConfigAPI'] } },
  writer: { permissions: { mydb: ['WriteData'] } },
  everywhere: { permissions: { '': ['WriteData'] } },
  reader: { permissions: { mydb: ['ReadData'] } },
  dirty: { permissions: { 'a/b': ['WriteData'] } },
  influxonly: { permissions: { '': ['ViewAdmin', 'CreateDatabase', 'SomePermissionAddedLater'] } },
  root: { permissions: {}, admin: true },
};

type Expect = 'allow' | { status: number; json: string } | { status: number; text: string };

const denied = (user: string, privilege: string, path: string): Expect => ({
  status: 403,
  json: `user ${user} does not have "${privilege}" privilege for API endpoint "${path}"`,
});
const cannotWrite = (user: string, db: string): Expect => ({ status: 401, text: `"${user}" user is not authorized to write to database "${db}"` });

const ROWS: Array<[user: string, method: string, path: string, db: string | undefined, expected: Expect]> = [
  ['api', 'GET', '/kapacitor/v1/tasks', undefined, 'allow'],
  ['api', 'POST', '/kapacitor/v1/tasks', undefined, 'allow'],
  ['api', 'PATCH', '/kapacitor/v1/tasks/cpu', undefined, 'allow'],
  ['api', 'PUT', '/kapacitor/v1/templates/t', undefined, 'allow'],
  ['api', 'DELETE', '/kapacitor/v1/tasks/cpu', undefined, 'allow'],
  ['api', 'GET', '/kapacitor/v1/ping', undefined, 'allow'],
  ['api', 'GET', '/kapacitor/v1/config', undefined, denied('api', 'read', '/kapacitor/v1/config')],
  ['api', 'POST', '/kapacitor/v1/config/smtp', undefined, denied('api', 'write', '/kapacitor/v1/config/smtp')],
  ['api', 'HEAD', '/kapacitor/v1/config', undefined, 'allow'],
  ['api', 'OPTIONS', '/kapacitor/v1/config', undefined, 'allow'],
  ['api', 'PROPFIND', '/kapacitor/v1/tasks', undefined, { status: 403, json: 'unknown method "PROPFIND"' }],
  ['api', 'POST', '/write', 'mydb', cannotWrite('api', 'mydb')],
  ['config', 'GET', '/kapacitor/v1/config', undefined, 'allow'],
  ['config', 'POST', '/kapacitor/v1/config/smtp', undefined, 'allow'],
  ['config', 'GET', '/kapacitor/v1/ping', undefined, 'allow'],
  ['config', 'GET', '/kapacitor/v1/tasks', undefined, denied('config', 'read', '/kapacitor/v1/tasks')],
  ['both', 'GET', '/kapacitor/v1/config', undefined, 'allow'],
  ['both', 'DELETE', '/kapacitor/v1/tasks/cpu', undefined, 'allow'],
  ['writer', 'POST', '/write', 'mydb', 'allow'],
  ['writer', 'POST', '/kapacitor/v1/write', 'mydb', 'allow'],
  ['writer', 'POST', '/write', 'other', cannotWrite('writer', 'other')],
  ['writer', 'POST', '/write', undefined, { status: 400, text: 'database is required' }],
  ['writer', 'POST', '/write', '', { status: 400, text: 'database is required' }],
  ['writer', 'GET', '/kapacitor/v1/ping', undefined, 'allow'],
  ['writer', 'GET', '/kapacitor/v1/tasks', undefined, denied('writer', 'read', '/kapacitor/v1/tasks')],
  ['writer', 'DELETE', '/kapacitor/v1/write', undefined, denied('writer', 'delete', '/kapacitor/v1/write')],
  ['everywhere', 'POST', '/write', 'any', 'allow'],
  ['everywhere', 'POST', '/write', 'slash/ed', 'allow'],
  ['reader', 'GET', '/kapacitor/v1/ping', undefined, 'allow'],
  ['reader', 'POST', '/write', 'mydb', denied('reader', 'write', '/write')],
  ['reader', 'GET', '/kapacitor/v1/alerts/topics', undefined, denied('reader', 'read', '/kapacitor/v1/alerts/topics')],
  ['dirty', 'POST', '/write', 'a/b', 'allow'],
  ['dirty', 'POST', '/write', 'a_b', cannotWrite('dirty', 'a_b')],
  ['influxonly', 'GET', '/kapacitor/v1/tasks', undefined, denied('influxonly', 'read', '/kapacitor/v1/tasks')],
  ['influxonly', 'HEAD', '/kapacitor/v1/ping', undefined, 'allow'],
  ['root', 'DELETE', '/kapacitor/v1/config/smtp', undefined, 'allow'],
  ['root', 'POST', '/write', 'anything', 'allow'],
  ['root', 'PROPFIND', '/kapacitor/v1/tasks', undefined, { status: 403, json: 'unknown method "PROPFIND"' }],
];

describe('Kapacitor privileges: privilege set × method × path', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
    for (const [name, user] of Object.entries(USERS)) h.directory.addUser(name, `${name}-pw`, user.permissions, user.admin);
  });

  it.each(ROWS)('%s %s %s (db=%s)', async (user, method, path, db, expected) => {
    const decision = await h.send({ method, path, query: db === undefined ? {} : { db }, headers: basic(user, `${user}-pw`) });
    if (expected === 'allow') return expectAllowed(decision, user);
    if ('json' in expected) return expectKapacitorError(decision, expected.status, expected.json);
    const deny = expectDenied(decision, expected.status, `${expected.text}\n`);
    expect(deny.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('the documented 403 body for a user without KapacitorAPI (docs-v2 influxdb-enterprise-auth.md)', async () => {
    const decision = await h.send({ path: '/kapacitor/v1/tasks', headers: basic('config', 'config-pw') });
    expectDenied(decision, 403, '{"error":"user config does not have \\"read\\" privilege for API endpoint \\"/kapacitor/v1/tasks\\"","message":"user config does not have \\"read\\" privilege for API endpoint \\"/kapacitor/v1/tasks\\""}');
  });
});
