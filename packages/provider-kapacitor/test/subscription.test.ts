import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { basic, BASE_CONFIG, expectAllowed, expectDenied, expectKapacitorError, harness } from './support/harness.js';

async function tokensFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kapacitor-subs-'));
  const file = join(dir, 'subscription-tokens');
  await writeFile(file, text, { mode: 0o600 });
  return file;
}

async function withTokens(text: string) {
  return harness({ config: { ...BASE_CONFIG, 'subscription-tokens-file': await tokensFile(text) } });
}

describe('~subscriber: subscription tokens (Basic user ~subscriber, password = token)', () => {
  it('a listed token may write to its database, as Kapacitor GrantSubscriptionAccess allows', async () => {
    const h = await withTokens('# InfluxDB subscriptions\ntok-1 telegraf\n');
    expectAllowed(await h.send({ method: 'POST', path: '/write', query: { db: 'telegraf' }, headers: basic('~subscriber', 'tok-1') }), '~subscriber');
    expect(h.directory.userCalls).toEqual([]);
  });

  it('and only there: another database is the plain-text 401 of the write handler', async () => {
    const h = await withTokens('tok-1 telegraf\n');
    const decision = await h.send({ method: 'POST', path: '/write', query: { db: 'other' }, headers: basic('~subscriber', 'tok-1') });
    expectDenied(decision, 401, '"~subscriber" user is not authorized to write to database "other"\n');
  });

  it('and nothing but writes and ping', async () => {
    const h = await withTokens('tok-1 telegraf\n');
    expectAllowed(await h.send({ path: '/kapacitor/v1/ping', headers: basic('~subscriber', 'tok-1') }));
    expectKapacitorError(
      await h.send({ path: '/kapacitor/v1/tasks', headers: basic('~subscriber', 'tok-1') }),
      403,
      'user ~subscriber does not have "read" privilege for API endpoint "/kapacitor/v1/tasks"',
    );
  });

  it('an unknown token: 401 invalid subscription token', async () => {
    const h = await withTokens('tok-1 telegraf\n');
    expectKapacitorError(await h.send({ method: 'POST', path: '/write', query: { db: 'telegraf' }, headers: basic('~subscriber', 'tok-2') }), 401, 'invalid subscription token');
  });

  it('a token that is not a valid username: 401 naming it, as Kapacitor does', async () => {
    const h = await withTokens('tok-1 telegraf\n');
    expectKapacitorError(await h.send({ path: '/write', method: 'POST', headers: basic('~subscriber', 'a b') }), 401, 'token must be a valid username: "a b"');
  });

  it('without a tokens file no subscription token is known', async () => {
    const h = await harness();
    expectKapacitorError(await h.send({ path: '/write', method: 'POST', headers: basic('~subscriber', 'tok-1') }), 401, 'invalid subscription token');
  });

  it('~subscriber is recognised in the Basic header only: as u/p it is an ordinary (unknown) user', async () => {
    const h = await withTokens('tok-1 telegraf\n');
    expectKapacitorError(await h.send({ method: 'POST', path: '/write', query: { db: 'telegraf', u: '~subscriber', p: 'tok-1' } }), 401, 'authorization failed');
  });

  it('a malformed tokens file fails at startup naming the file and line, not the token', async () => {
    const file = await tokensFile('tok-1 telegraf\nsecret-token\n');
    const error = await harness({ config: { ...BASE_CONFIG, 'subscription-tokens-file': file } }).then(
      () => undefined,
      (caught: unknown) => caught as { code: string; message: string },
    );
    expect(error?.code).toBe('CONFIG_INVALID');
    expect(error?.message).toMatch(new RegExp(`^${file}:2: expected`));
    expect(error?.message).not.toContain('secret-token');
  });
});
