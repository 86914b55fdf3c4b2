import { AuthError } from '@auth/core';
import { startInfluxMetaDouble, type InfluxMetaDouble } from '@auth/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { metaDirectory, ossDirectory, type UserDirectory } from '../src/index.js';
import { adminQuery, useInfluxd } from './support/influxd.js';

const signal = () => AbortSignal.timeout(20_000);

describe('metaDirectory: the user Kapacitor-compatible auth reads from a meta node', () => {
  const doubles: InfluxMetaDouble[] = [];
  afterEach(async () => {
    await Promise.all(doubles.splice(0).map((d) => d.close()));
  });
  async function directory(options: Parameters<typeof startInfluxMetaDouble>[0] = {}): Promise<{ double: InfluxMetaDouble; users: UserDirectory }> {
    const double = await startInfluxMetaDouble({ internalSharedSecret: 'internal-secret', ...options });
    doubles.push(double);
    return { double, users: metaDirectory({ url: double.url, credentials: { sharedSecret: 'internal-secret' } }) };
  }

  it('GET /user?name= gives the bcrypt hash and permissions; the user is never admin; the JWT carries the empty username', async () => {
    const { double, users } = await directory();
    double.addUser('johndoe', 'pa5sw0Rd', { '': ['KapacitorAPI'], mydb: ['ReadData'] });
    const user = await users.user('johndoe', signal());
    expect(user).toEqual({ name: 'johndoe', admin: false, hash: double.user('johndoe')!.hash, permissions: { '': ['KapacitorAPI'], mydb: ['ReadData'] } });
    expect(double.requests.at(-1)).toMatchObject({ method: 'GET', target: '/user?name=johndoe', auth: 'bearer:' });
  });

  it('an unknown user is undefined after one request, for 404 {"error":"user not found"} and for {"users":[]} (no 10 s of retries)', async () => {
    const { double, users } = await directory();
    expect(await users.user('ghost', signal())).toBeUndefined();
    double.setUnknownUser('empty-list');
    expect(await users.user('ghost', signal())).toBeUndefined();
    expect(double.requests).toHaveLength(2);
  });

  it('unknown permission names are kept', async () => {
    const { double, users } = await directory();
    double.addUser('bob', 'pw', { '': ['KapacitorAPI'] });
    double.injectPermissions('bob', '', ['SomethingNew']);
    expect((await users.user('bob', signal()))?.permissions).toEqual({ '': ['KapacitorAPI', 'SomethingNew'] });
  });

  it('an LDAP user (empty hash) has no hash; checkPassword asks GET /authorized (200 yes, else no)', async () => {
    const { double, users } = await directory();
    double.addLdapUser('ldap-user', 'ldap-pw', { '': ['KapacitorAPI'] });
    const user = await users.user('ldap-user', signal());
    expect(user).toEqual({ name: 'ldap-user', admin: false, permissions: { '': ['KapacitorAPI'] } });
    expect(await users.checkPassword('ldap-user', 'ldap-pw', signal())).toBe(true);
    expect(await users.checkPassword('ldap-user', 'wrong', signal())).toBe(false);
    const asked = double.requests.filter((r) => r.target.startsWith('/authorized'));
    expect(asked).toHaveLength(2);
    expect(new URLSearchParams(asked[0]!.target.split('?')[1]).get('permission')).toBe('NoPermissions');
    expect(new URLSearchParams(asked[0]!.target.split('?')[1]).get('resource')).toBe('_');
  });

  it('Basic credentials (meta-username, meta-password) work too; wrong ones are a final INVALID_CREDENTIALS, not retried', async () => {
    const { double } = await directory();
    double.addUser('bob', 'pw');
    const basic = metaDirectory({ url: double.url, credentials: { username: 'admin', password: 'changeit' } });
    expect((await basic.user('bob', signal()))?.name).toBe('bob');
    const before = double.requests.length;
    const wrong = metaDirectory({ url: double.url, credentials: { username: 'admin', password: 'nope' } });
    const error = await wrong.user('bob', signal()).catch((e: unknown) => e);
    expect(AuthError.is(error) && error.code).toBe('INVALID_CREDENTIALS');
    expect(double.requests.length - before).toBe(1);
  });

  it('a meta node that cannot be reached is retried briefly, then NETWORK within the timeout', async () => {
    const { double } = await directory();
    const url = double.url;
    await double.close();
    let attempts = 0;
    const counting: typeof fetch = (input, init) => {
      attempts += 1;
      return fetch(input, init);
    };
    const users = metaDirectory({ url, credentials: { sharedSecret: 'internal-secret' }, timeoutMs: 1500, fetch: counting });
    const started = Date.now();
    const error = await users.user('bob', signal()).catch((e: unknown) => e);
    expect(AuthError.is(error) && error.code).toBe('NETWORK');
    expect(attempts).toBeGreaterThan(1);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('a failed GET /authorized names the URL without its query: the password is in neither the message nor the cause', async () => {
    const { double } = await directory();
    const url = double.url;
    await double.close();
    const users = metaDirectory({ url, credentials: { sharedSecret: 'internal-secret' }, timeoutMs: 300 });
    const error = await users.checkPassword('bob', 'hunter2-secret', signal()).catch((e: unknown) => e);
    expect(AuthError.is(error) && error.message).toBe(`Cannot reach the InfluxDB Enterprise meta node at ${url}/authorized`);
    expect(JSON.stringify({ ...(error as AuthError).details, cause: String((error as AuthError).cause) })).not.toContain('hunter2-secret');
  });
});

describe('ossDirectory: users and grants of a real influxd 1.6', () => {
  const influxd = useInfluxd();

  it('SHOW USERS + SHOW GRANTS FOR give the user, ALL as ReadData + WriteData; admins are admin; no hash', async () => {
    await adminQuery(influxd.current, 'CREATE DATABASE telegraf');
    await adminQuery(influxd.current, "CREATE USER \"kap\" WITH PASSWORD 'kap-pw'");
    await adminQuery(influxd.current, 'GRANT ALL ON "telegraf" TO "kap"');
    const users = ossDirectory({ url: influxd.current.url, credentials: influxd.current.admin });
    expect(await users.user('kap', signal())).toEqual({ name: 'kap', admin: false, permissions: { telegraf: ['ReadData', 'WriteData'] } });
    expect(await users.user('admin', signal())).toEqual({ name: 'admin', admin: true, permissions: {} });
    expect(await users.user('ghost', signal())).toBeUndefined();
  });

  it('checkPassword queries as the user: the right password yes, a wrong one no', async () => {
    const users = ossDirectory({ url: influxd.current.url, credentials: { sharedSecret: influxd.current.sharedSecret, username: 'admin' } });
    expect(await users.checkPassword('kap', 'kap-pw', signal())).toBe(true);
    expect(await users.checkPassword('kap', 'kap-pw-wrong', signal())).toBe(false);
  });
});
