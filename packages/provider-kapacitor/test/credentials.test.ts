import { describe, expect, it } from 'vitest';
import { basic, bearer, expectAllowed, expectKapacitorError, harness, T0 } from './support/harness.js';
import { jwt } from './support/jwt.js';

const SECRET = 'kapacitor-shared-secret';
const API = { '': ['KapacitorAPI'] };

async function withAlice() {
  const h = await harness();
  h.directory.addUser('alice', 'alice-pw', API);
  return h;
}

describe('credentials in Kapacitor order (services/httpd/handler.go parseCredentials)', () => {
  it('no credentials: 401 unable to parse authentication credentials', async () => {
    const h = await withAlice();
    expectKapacitorError(await h.send({ path: '/kapacitor/v1/tasks' }), 401, 'unable to parse authentication credentials');
  });

  it('Basic credentials authenticate the user', async () => {
    const h = await withAlice();
    expectAllowed(await h.send({ path: '/kapacitor/v1/tasks', headers: basic('alice', 'alice-pw') }), 'alice');
  });

  it('the Basic scheme name is case-insensitive, as in Go', async () => {
    const h = await withAlice();
    const encoded = Buffer.from('alice:alice-pw').toString('base64');
    expectAllowed(await h.send({ path: '/kapacitor/v1/tasks', headers: { authorization: `bAsIc ${encoded}` } }), 'alice');
  });

  it('a wrong password: 401 authorization failed', async () => {
    const h = await withAlice();
    expectKapacitorError(await h.send({ path: '/kapacitor/v1/tasks', headers: basic('alice', 'nope') }), 401, 'authorization failed');
  });

  it('an unknown user: 401 authorization failed', async () => {
    const h = await withAlice();
    expectKapacitorError(await h.send({ path: '/kapacitor/v1/tasks', headers: basic('mallory', 'x') }), 401, 'authorization failed');
  });

  it('Basic with an empty username: 401 username required', async () => {
    const h = await withAlice();
    expectKapacitorError(await h.send({ path: '/kapacitor/v1/tasks', headers: basic('', 'x') }), 401, 'username required');
  });

  it('u and p query parameters authenticate when both are non-empty', async () => {
    const h = await withAlice();
    expectAllowed(await h.send({ path: '/kapacitor/v1/tasks', query: { u: 'alice', p: 'alice-pw' } }), 'alice');
  });

  it('u without p (or an empty p) is no credential at all', async () => {
    const h = await withAlice();
    expectKapacitorError(await h.send({ path: '/kapacitor/v1/tasks', query: { u: 'alice' } }), 401, 'unable to parse authentication credentials');
    expectKapacitorError(await h.send({ path: '/kapacitor/v1/tasks', query: { u: 'alice', p: '' } }), 401, 'unable to parse authentication credentials');
  });

  it('a Basic header beats u/p: a wrong Basic password fails even with right u/p', async () => {
    const h = await withAlice();
    const decision = await h.send({ path: '/kapacitor/v1/tasks', query: { u: 'alice', p: 'alice-pw' }, headers: basic('alice', 'wrong') });
    expectKapacitorError(decision, 401, 'authorization failed');
  });

  it('a Bearer header beats u/p: a bad token fails even with right u/p', async () => {
    const h = await withAlice();
    const decision = await h.send({ path: '/kapacitor/v1/tasks', query: { u: 'alice', p: 'alice-pw' }, headers: bearer('not-a-jwt') });
    expectKapacitorError(decision, 401, 'invalid token: token contains an invalid number of segments');
  });

  it('a Bearer header beats u/p: a good token is used, not the u/p user', async () => {
    const h = await withAlice();
    h.directory.addUser('bob', 'bob-pw', API);
    const token = jwt({ alg: 'HS256', typ: 'JWT' }, { username: 'alice', exp: T0 / 1000 + 60 }, SECRET);
    expectAllowed(await h.send({ path: '/kapacitor/v1/tasks', query: { u: 'bob', p: 'bob-pw' }, headers: bearer(token) }), 'alice');
  });

  it('"bearer" in lower case is not Bearer: it falls through to u/p', async () => {
    const h = await withAlice();
    expectAllowed(await h.send({ path: '/kapacitor/v1/tasks', query: { u: 'alice', p: 'alice-pw' }, headers: { authorization: 'bearer x.y.z' } }), 'alice');
  });

  it('an unparsable Authorization header falls through to u/p, else 401', async () => {
    const h = await withAlice();
    expectAllowed(await h.send({ path: '/kapacitor/v1/tasks', query: { u: 'alice', p: 'alice-pw' }, headers: { authorization: 'Basic !!!' } }), 'alice');
    expectKapacitorError(await h.send({ path: '/kapacitor/v1/tasks', headers: { authorization: 'Token alice:alice-pw' } }), 401, 'unable to parse authentication credentials');
  });

  it('HEAD still needs credentials: only the privilege check is skipped', async () => {
    const h = await withAlice();
    expectKapacitorError(await h.send({ method: 'HEAD', path: '/kapacitor/v1/ping' }), 401, 'unable to parse authentication credentials');
  });

  it('the consumed credentials are removed before the request goes upstream', async () => {
    const h = await withAlice();
    const decision = await h.send({ path: '/kapacitor/v1/tasks', query: { u: 'alice', p: 'alice-pw' } });
    expect(decision).toMatchObject({ allow: true, upstreamHeaders: { authorization: null }, removeQuery: ['u', 'p'] });
  });
});
