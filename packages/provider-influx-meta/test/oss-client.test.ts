import { AuthError, EXIT_CODES } from '@auth/core';
import { describe, expect, it } from 'vitest';
import { OssClient, influxql, quoteIdent, quoteString } from '../src/index.js';
import { adminQuery, useInfluxd } from './support/influxd.js';

const influxd = useInfluxd();
const admin = () => new OssClient({ url: influxd.current.url, credentials: influxd.current.admin });

async function rejected(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!AuthError.is(error)) throw new Error(`expected an AuthError, got ${String(error)}`);
  return error;
}

describe('InfluxQL literals (influxql scanner: \\\\, \\n, \\\' and \\" escapes)', () => {
  it('escapes backslash, newline and the quote of the literal', () => {
    expect(quoteIdent('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
    expect(quoteString("it's\\\n")).toBe("'it\\'s\\\\\\n'");
    expect(influxql.grant('READ', 'my db', 'bob')).toBe('GRANT READ ON "my db" TO "bob"');
  });
});

describe('OSS 1.x users through /query against a real influxd 1.6', () => {
  it('create, grant, list grants, revoke, set-password, drop', async () => {
    await adminQuery(influxd.current, 'CREATE DATABASE metrics');
    const oss = admin();
    await oss.createUser('reader', 'reader-pw-1');
    await oss.grant('reader', 'READ', 'metrics');
    expect(await oss.grants('reader')).toEqual({ metrics: ['ReadData'] });
    await oss.grant('reader', 'ALL', 'metrics');
    expect(await oss.grants('reader')).toEqual({ metrics: ['ReadData', 'WriteData'] });
    await oss.revoke('reader', 'WRITE', 'metrics');
    expect(await oss.grants('reader')).toEqual({ metrics: ['ReadData'] });
    expect(await oss.checkPassword('reader', 'reader-pw-1')).toBe(true);
    await oss.setPassword('reader', 'reader-pw-2');
    expect(await oss.checkPassword('reader', 'reader-pw-1')).toBe(false);
    expect(await oss.checkPassword('reader', 'reader-pw-2')).toBe(true);
    expect((await oss.users()).find((u) => u.name === 'reader')).toEqual({ name: 'reader', admin: false });
    await oss.grantAdmin('reader');
    expect((await oss.users()).find((u) => u.name === 'reader')?.admin).toBe(true);
    await oss.dropUser('reader');
    expect((await oss.users()).map((u) => u.name)).toEqual([influxd.current.admin.username]);
  });

  it('names and passwords with quotes, backslashes and newlines are stored as given and inject no statement', async () => {
    const oss = admin();
    const hostile = [
      { name: 'o\'hara"; DROP USER "admin', password: "pw' WITH ALL PRIVILEGES; DROP USER \"admin\" --" },
      { name: 'back\\slash\nnewline', password: 'x\\\'\n"; CREATE USER evil WITH PASSWORD \'e\' WITH ALL PRIVILEGES' },
    ];
    for (const { name, password } of hostile) {
      await oss.createUser(name, password);
      expect(await oss.checkPassword(name, password)).toBe(true);
    }
    const users = await oss.users();
    expect(users.map((u) => u.name).sort()).toEqual([influxd.current.admin.username, ...hostile.map((h) => h.name)].sort());
    expect(users.every((u) => u.name === influxd.current.admin.username || !u.admin)).toBe(true);
    for (const { name } of hostile) await oss.dropUser(name);
  });

  it('a statement error (HTTP 200, results[].error) is an error: dropping an unknown user is USAGE naming the URL', async () => {
    const error = await rejected(admin().dropUser('ghost'));
    expect(error.code).toBe('USAGE');
    expect(EXIT_CODES[error.code]).toBe(2);
    expect(error.message).toBe(`InfluxDB at ${influxd.current.url}/query: user not found`);
  });

  it('a wrong admin password is INVALID_CREDENTIALS (exit 4) naming the URL', async () => {
    const oss = new OssClient({ url: influxd.current.url, credentials: { username: 'admin', password: 'not-the-password' } });
    const error = await rejected(oss.users());
    expect(error.code).toBe('INVALID_CREDENTIALS');
    expect(error.message).toBe(`InfluxDB at ${influxd.current.url}/query refused the credentials: authorization failed`);
  });

  it("the admin may authenticate with an HS512 JWT signed with influxd's shared-secret", async () => {
    const oss = new OssClient({ url: influxd.current.url, credentials: { sharedSecret: influxd.current.sharedSecret, username: 'admin' } });
    expect((await oss.users()).map((u) => u.name)).toContain('admin');
  });
});
