import { describe, expect, it } from 'vitest';
import { basic, BASE_CONFIG, bearer, expectAllowed, expectDenied, harness, T0 } from './support/harness.js';
import { jwt } from './support/jwt.js';

/** `api = "influxdb"`: the gateway in front of InfluxDB OSS 1.6, with its credential order and bodies (influxdata/influxdb v1.6.7 services/httpd/handler.go). */
async function influx() {
  const h = await harness({ config: { ...BASE_CONFIG, api: 'influxdb', auth: { ...BASE_CONFIG.auth, directory: 'oss' } } });
  h.directory.addUser('admin', 'admin-pw', {}, true);
  h.directory.addUser('bob', 'bob-pw', { mydb: ['READ'], logs: ['WRITE'], both: ['ALL PRIVILEGES'] });
  h.directory.addUser('ent', 'ent-pw', { mydb: ['ReadData'] });
  return h;
}

function expectInfluxError(decision: Awaited<ReturnType<Awaited<ReturnType<typeof influx>>['send']>>, status: number, message: string) {
  const deny = expectDenied(decision, status, `${JSON.stringify({ error: message })}\n`);
  expect(deny.headers['content-type']).toBe('application/json');
  if (status === 401) expect(deny.headers['www-authenticate']).toBe('Basic realm="InfluxDB"');
  else expect(deny.headers['x-influxdb-error']).toBe(message);
}

describe('InfluxDB 1.x API model', () => {
  it.each(['/ping', '/health', '/status'])('%s is open without credentials', async (path) => {
    const h = await influx();
    expectAllowed(await h.send({ path }));
  });

  it('no credentials: 401 with the InfluxDB challenge', async () => {
    const h = await influx();
    expectInfluxError(await h.send({ path: '/query', query: { db: 'mydb', q: 'SELECT 1' } }), 401, 'unable to parse authentication credentials');
  });

  it('u/p in the query come first (InfluxDB order): they beat a wrong Basic header', async () => {
    const h = await influx();
    expectAllowed(await h.send({ path: '/query', query: { db: 'mydb', u: 'bob', p: 'bob-pw' }, headers: basic('bob', 'wrong') }), 'bob');
  });

  it('a wrong password: 401 authorization failed', async () => {
    const h = await influx();
    expectInfluxError(await h.send({ path: '/query', query: { db: 'mydb' }, headers: basic('bob', 'nope') }), 401, 'authorization failed');
  });

  it('GET /query needs READ on db (OSS READ or Enterprise ReadData)', async () => {
    const h = await influx();
    expectAllowed(await h.send({ path: '/query', query: { db: 'mydb' }, headers: basic('bob', 'bob-pw') }), 'bob');
    expectAllowed(await h.send({ path: '/query', query: { db: 'mydb' }, headers: basic('ent', 'ent-pw') }), 'ent');
    expectInfluxError(
      await h.send({ path: '/query', query: { db: 'logs' }, headers: basic('bob', 'bob-pw') }),
      403,
      'error authorizing query: bob not authorized to execute statements on logs, requires READ on logs',
    );
  });

  it('POST /query needs WRITE on db', async () => {
    const h = await influx();
    expectAllowed(await h.send({ method: 'POST', path: '/query', query: { db: 'logs' }, headers: basic('bob', 'bob-pw') }));
    expectAllowed(await h.send({ method: 'POST', path: '/query', query: { db: 'both' }, headers: basic('bob', 'bob-pw') }));
    expectInfluxError(
      await h.send({ method: 'POST', path: '/query', query: { db: 'mydb' }, headers: basic('bob', 'bob-pw') }),
      403,
      'error authorizing query: bob not authorized to execute statements on mydb, requires WRITE on mydb',
    );
  });

  it('/query without db is for admins', async () => {
    const h = await influx();
    expectAllowed(await h.send({ path: '/query', query: { q: 'SHOW USERS' }, headers: basic('admin', 'admin-pw') }), 'admin');
    expectInfluxError(
      await h.send({ path: '/query', query: { q: 'SHOW DATABASES' }, headers: basic('bob', 'bob-pw') }),
      403,
      'error authorizing query: bob not authorized to execute a query without a database, requires admin privilege',
    );
  });

  it('POST /write needs WRITE on db, with InfluxDB 1.6 bodies', async () => {
    const h = await influx();
    expectAllowed(await h.send({ method: 'POST', path: '/write', query: { db: 'logs' }, headers: basic('bob', 'bob-pw') }));
    expectInfluxError(await h.send({ method: 'POST', path: '/write', query: { db: 'mydb' }, headers: basic('bob', 'bob-pw') }), 403, '"bob" user is not authorized to write to database "mydb"');
    expectInfluxError(await h.send({ method: 'POST', path: '/write', headers: basic('bob', 'bob-pw') }), 400, 'database is required');
  });

  it('an admin may do anything; other paths are admin-only', async () => {
    const h = await influx();
    expectAllowed(await h.send({ path: '/debug/vars', headers: basic('admin', 'admin-pw') }));
    expectInfluxError(await h.send({ path: '/debug/vars', headers: basic('bob', 'bob-pw') }), 403, 'error authorizing request: bob not authorized to access /debug/vars, requires admin privilege');
  });

  it('bearer bodies are the library messages without a prefix; unknown user: user not found', async () => {
    const h = await influx();
    const now = T0 / 1000;
    expectAllowed(await h.send({ path: '/query', query: { db: 'mydb' }, headers: bearer(jwt({ alg: 'HS512' }, { username: 'bob', exp: now + 60 }, 'kapacitor-shared-secret', 'sha512')) }), 'bob');
    expectInfluxError(await h.send({ path: '/query', headers: bearer(jwt({ alg: 'HS256' }, { username: 'bob', exp: now - 1 }, 'kapacitor-shared-secret')) }), 401, 'Token is expired');
    expectInfluxError(await h.send({ path: '/query', headers: bearer(jwt({ alg: 'HS256' }, { username: 'zed', exp: now + 60 }, 'kapacitor-shared-secret')) }), 401, 'user not found');
  });

  it('blank shared secret: bearer auth disabld (sic, InfluxDB 1.x)', async () => {
    const h = await harness({ config: { ...BASE_CONFIG, api: 'influxdb', http: {} } });
    expectInfluxError(await h.send({ path: '/query', headers: bearer('a.b.c') }), 401, 'bearer auth disabld');
  });
});
