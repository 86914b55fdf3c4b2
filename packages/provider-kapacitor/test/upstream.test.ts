import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { basic, BASE_CONFIG, bearer, harness, T0 } from './support/harness.js';
import { jwt } from './support/jwt.js';

describe('what the upstream receives', () => {
  it('remove (default): Authorization and u/p are dropped whatever carried the credentials', async () => {
    const h = await harness();
    h.directory.addUser('alice', 'alice-pw', { '': ['KapacitorAPI'] });
    const token = jwt({ alg: 'HS256' }, { username: 'alice', exp: T0 / 1000 + 60 }, 'kapacitor-shared-secret');
    for (const spec of [{ headers: basic('alice', 'alice-pw') }, { headers: bearer(token) }, { query: { u: 'alice', p: 'alice-pw' } }]) {
      expect(await h.send({ path: '/kapacitor/v1/tasks', ...spec })).toMatchObject({ allow: true, upstreamHeaders: { authorization: null }, removeQuery: ['u', 'p'] });
    }
  });

  it('pass: the request goes on untouched', async () => {
    const h = await harness({ config: { ...BASE_CONFIG, 'upstream-credentials': 'pass' } });
    h.directory.addUser('alice', 'alice-pw', { '': ['KapacitorAPI'] });
    const decision = await h.send({ path: '/kapacitor/v1/tasks', headers: basic('alice', 'alice-pw') });
    expect(decision.allow && [decision.upstreamHeaders, decision.removeQuery]).toEqual([undefined, undefined]);
  });

  it('shared-secret-jwt: a short-lived HS256 {username, exp} the upstream can verify with its shared secret', async () => {
    const h = await harness({ config: { ...BASE_CONFIG, 'upstream-credentials': 'shared-secret-jwt', 'upstream-token-ttl': '30s' }, env: { KAPACITOR_GATEWAY_UPSTREAM_SHARED_SECRET: 'upstream-secret' } });
    h.directory.addUser('alice', 'alice-pw', { '': ['KapacitorAPI'] });
    const decision = await h.send({ path: '/kapacitor/v1/tasks', headers: basic('alice', 'alice-pw') });
    if (!decision.allow) throw new Error('expected allow');
    const token = decision.upstreamHeaders?.authorization?.replace(/^Bearer /, '') ?? '';
    const [header = '', claims = '', signature] = token.split('.');
    expect(JSON.parse(Buffer.from(claims, 'base64url').toString())).toEqual({ username: 'alice', exp: T0 / 1000 + 30 });
    expect(signature).toBe(createHmac('sha256', 'upstream-secret').update(`${header}.${claims}`).digest('base64url'));
    expect(decision.removeQuery).toEqual(['u', 'p']);
  });

  it('the principal names the user, the directory and the privileges', async () => {
    const h = await harness();
    h.directory.addUser('alice', 'alice-pw', { '': ['KapacitorAPI'], mydb: ['WriteData'] });
    const decision = await h.send({ path: '/kapacitor/v1/tasks', headers: basic('alice', 'alice-pw') });
    expect(decision.allow && decision.principal).toEqual({
      subject: 'alice',
      issuer: 'http://meta.test:8091',
      provider: 'kapacitor',
      claims: { method: 'basic' },
      permissions: ['/api:all', '/api/config:none', '/api/ping:all', '/api/write:write', '/database/mydb_clean:write'],
    });
  });
});
