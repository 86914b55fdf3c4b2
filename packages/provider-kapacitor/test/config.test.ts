import { AuthError } from '@auth/core';
import { startInfluxMetaDouble } from '@auth/testkit';
import { describe, expect, it } from 'vitest';
import { createKapacitor } from '../src/index.js';
import { resolveSettings, type DirectorySettings, type KapacitorGatewayConfig } from '../src/server/config.js';
import { MemoryDirectory } from './support/memory-directory.js';

const WHERE = '/etc/auth-server.toml gateway.routes[0].auth';
const MINIMAL: KapacitorGatewayConfig = { auth: { 'meta-addr': '172.17.0.2:8091' } };

/** kapacitor.conf's `[http]` and `[auth]` sample (docs-v2 influxdb-enterprise-auth.md), every key set. */
const FULL: KapacitorGatewayConfig = {
  http: { 'auth-enabled': true, 'shared-secret': 'file-secret' },
  auth: {
    enabled: true,
    'cache-expiration': '1h',
    'bcrypt-cost': 4,
    'meta-addr': '172.17.0.2:8091',
    'meta-username': 'example-influxdb-username',
    'meta-password': 'example-influxdb-password',
    'meta-use-tls': true,
    'meta-ca': '/path/to/cert.ca',
    'meta-cert': '/path/to/cert.cert',
    'meta-key': '/path/to/cert.key',
    'meta-insecure-skip-verify': false,
  },
};

function configError(config: KapacitorGatewayConfig, env: Record<string, string> = {}): AuthError {
  try {
    resolveSettings(config, WHERE, env);
  } catch (error) {
    if (AuthError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a CONFIG_INVALID error');
}

describe('kapacitor.conf parity: [http] and [auth] keys', () => {
  it('every key of the documented sample is read', () => {
    const settings = resolveSettings(FULL, WHERE, {});
    expect(settings).toMatchObject({
      api: 'kapacitor',
      sharedSecret: 'file-secret',
      cacheExpirationMs: 3_600_000,
      bcryptCost: 4,
      directory: {
        kind: 'meta',
        url: 'https://172.17.0.2:8091',
        auth: { kind: 'basic', username: 'example-influxdb-username', password: 'example-influxdb-password' },
        tls: { ca: '/path/to/cert.ca', cert: '/path/to/cert.cert', key: '/path/to/cert.key', insecureSkipVerify: false },
        where: `${WHERE}.auth`,
      },
    });
  });

  it('defaults: cache-expiration 10m (Kapacitor: 0, no cache), bcrypt-cost 10, no shared secret, http, meta, remove upstream credentials', () => {
    expect(resolveSettings(MINIMAL, WHERE, {})).toMatchObject({
      cacheExpirationMs: 600_000,
      bcryptCost: 10,
      sharedSecret: '',
      negativeCacheMs: 5_000,
      userCacheSize: 10_000,
      upstream: { credentials: 'remove', tokenTtlMs: 60_000 },
      directory: { kind: 'meta', url: 'http://172.17.0.2:8091', auth: { kind: 'none' }, tls: { insecureSkipVerify: false } },
    });
  });

  it('meta-internal-shared-secret wins over meta-username, as in Kapacitor', () => {
    const settings = resolveSettings({ auth: { ...FULL.auth, 'meta-internal-shared-secret': 'internal' } }, WHERE, {});
    expect(settings.directory.auth).toEqual({ kind: 'internal-shared-secret', secret: 'internal' });
  });

  it('directory = "oss" selects an InfluxDB OSS 1.x server at meta-addr', () => {
    expect(resolveSettings({ auth: { 'meta-addr': '127.0.0.1:8086', directory: 'oss' } }, WHERE, {}).directory).toMatchObject({ kind: 'oss', url: 'http://127.0.0.1:8086' });
  });
});

describe('environment overrides (KAPACITOR_<SECTION>_<KEY>, env wins over the file)', () => {
  const ROWS: Array<[string, string, (s: ReturnType<typeof resolveSettings>) => unknown, unknown]> = [
    ['KAPACITOR_HTTP_SHARED_SECRET', 'env-secret', (s) => s.sharedSecret, 'env-secret'],
    ['KAPACITOR_AUTH_CACHE_EXPIRATION', '90s', (s) => s.cacheExpirationMs, 90_000],
    ['KAPACITOR_AUTH_BCRYPT_COST', '12', (s) => s.bcryptCost, 12],
    ['KAPACITOR_AUTH_META_ADDR', 'meta.example:8091', (s) => s.directory.url, 'https://meta.example:8091'],
    ['KAPACITOR_AUTH_META_USERNAME', 'env-user', (s) => s.directory.auth, { kind: 'basic', username: 'env-user', password: 'example-influxdb-password' }],
    ['KAPACITOR_AUTH_META_PASSWORD', 'env-pw', (s) => s.directory.auth, { kind: 'basic', username: 'example-influxdb-username', password: 'env-pw' }],
    ['KAPACITOR_AUTH_META_INTERNAL_SHARED_SECRET', 'env-internal', (s) => s.directory.auth, { kind: 'internal-shared-secret', secret: 'env-internal' }],
    ['KAPACITOR_AUTH_META_USE_TLS', 'false', (s) => s.directory.url, 'http://172.17.0.2:8091'],
    ['KAPACITOR_AUTH_META_CA', '/env/ca.pem', (s) => s.directory.tls.ca, '/env/ca.pem'],
    ['KAPACITOR_AUTH_META_CERT', '/env/cert.pem', (s) => s.directory.tls.cert, '/env/cert.pem'],
    ['KAPACITOR_AUTH_META_KEY', '/env/key.pem', (s) => s.directory.tls.key, '/env/key.pem'],
    ['KAPACITOR_AUTH_META_INSECURE_SKIP_VERIFY', 'T', (s) => s.directory.tls.insecureSkipVerify, true],
    ['KAPACITOR_AUTH_DIRECTORY', 'oss', (s) => s.directory.kind, 'oss'],
    ['KAPACITOR_HTTP_AUTH_ENABLED', 'true', (s) => s.api, 'kapacitor'],
    ['KAPACITOR_AUTH_ENABLED', '1', (s) => s.api, 'kapacitor'],
    ['KAPACITOR_GATEWAY_API', 'influxdb', (s) => s.api, 'influxdb'],
    ['KAPACITOR_GATEWAY_UPSTREAM_CREDENTIALS', 'pass', (s) => s.upstream.credentials, 'pass'],
    ['KAPACITOR_GATEWAY_USER_CACHE_SIZE', '7', (s) => s.userCacheSize, 7],
    ['KAPACITOR_GATEWAY_NEGATIVE_CACHE_EXPIRATION', '1s', (s) => s.negativeCacheMs, 1_000],
  ];

  it.each(ROWS)('%s=%s', (name, value, read, expected) => {
    expect(read(resolveSettings(FULL, WHERE, { [name]: value }))).toEqual(expected);
  });

  it('the upstream shared secret may come from the environment only', () => {
    const settings = resolveSettings({ ...MINIMAL, 'upstream-credentials': 'shared-secret-jwt' }, WHERE, { KAPACITOR_GATEWAY_UPSTREAM_SHARED_SECRET: 's3cret' });
    expect(settings.upstream).toEqual({ credentials: 'shared-secret-jwt', secret: 's3cret', tokenTtlMs: 60_000 });
  });

  it('env-prefix gives a second route its own variables', () => {
    const settings = resolveSettings({ ...MINIMAL, 'env-prefix': 'KAPACITOR_B' }, WHERE, { KAPACITOR_HTTP_SHARED_SECRET: 'a', KAPACITOR_B_HTTP_SHARED_SECRET: 'b' });
    expect(settings.sharedSecret).toBe('b');
  });

  it('an env value of the wrong type names the variable', () => {
    const error = configError(FULL, { KAPACITOR_AUTH_BCRYPT_COST: 'ten' });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(`KAPACITOR_AUTH_BCRYPT_COST (for ${WHERE}.auth.bcrypt-cost): expected an integer`);
  });
});

describe('validation, in Kapacitor words where it has them', () => {
  it('bcrypt-cost below 4: must provide a bcrypt cost >= 4, got N', () => {
    const error = configError({ auth: { ...MINIMAL.auth, 'bcrypt-cost': 3 } });
    expect(error.message).toBe(`${WHERE}.auth.bcrypt-cost: must provide a bcrypt cost >= 4, got 3`);
    expect(error.details.key).toBe(`${WHERE}.auth.bcrypt-cost`);
  });

  it('the same from the environment names the variable', () => {
    expect(configError(MINIMAL, { KAPACITOR_AUTH_BCRYPT_COST: '0' }).message).toBe(
      `${WHERE}.auth.bcrypt-cost (from KAPACITOR_AUTH_BCRYPT_COST): must provide a bcrypt cost >= 4, got 0`,
    );
  });

  it('[http] auth-enabled = false is refused: it would make every request an admin', () => {
    expect(configError({ ...MINIMAL, http: { 'auth-enabled': false } }).message).toMatch(`${WHERE}.http.auth-enabled: false would let every request through as an admin`);
  });

  it('[auth] enabled = false (Kapacitor noauth: any password is an admin) is refused, from the file or the environment', () => {
    expect(configError({ ...MINIMAL, auth: { ...MINIMAL.auth, enabled: false } }).message).toMatch(`${WHERE}.auth.enabled: false selects Kapacitor's noauth`);
    expect(configError(MINIMAL, { KAPACITOR_AUTH_ENABLED: 'false' }).message).toMatch(`${WHERE}.auth.enabled (from KAPACITOR_AUTH_ENABLED): false selects`);
  });

  it('a duration Go would not parse is refused with Go words', () => {
    expect(configError({ auth: { ...MINIMAL.auth, 'cache-expiration': '10 minutes' } }).message).toBe(
      `${WHERE}.auth.cache-expiration: time: unknown unit " minutes" in duration "10 minutes"`,
    );
    expect(configError({ auth: { ...MINIMAL.auth, 'cache-expiration': '10' } }).message).toBe(`${WHERE}.auth.cache-expiration: time: missing unit in duration "10"`);
  });

  it('cache-expiration = "0" is kept: no user cache, as asked', () => {
    expect(resolveSettings({ auth: { ...MINIMAL.auth, 'cache-expiration': '0' } }, WHERE, {}).cacheExpirationMs).toBe(0);
  });

  it('meta-addr is required (there is no local user store) and is host:port', () => {
    expect(configError({}).message).toMatch(`${WHERE}.auth.meta-addr: is required`);
    expect(configError({ auth: { 'meta-addr': 'https://meta:8091' } }).message).toMatch(`${WHERE}.auth.meta-addr: must be host:port`);
  });

  it('meta-cert without meta-key is refused', () => {
    expect(configError({ auth: { ...MINIMAL.auth, 'meta-cert': '/c.pem' } }).message).toMatch(`${WHERE}.auth.meta-key: meta-cert and meta-key must be set together`);
  });

  it('an unknown key is named', () => {
    expect(configError({ auth: { ...MINIMAL.auth, 'meta-use-tsl': true } } as KapacitorGatewayConfig).message).toBe(`${WHERE}.auth.meta-use-tsl: is not a key of this table`);
  });

  it('upstream-credentials = "shared-secret-jwt" needs a secret', () => {
    expect(configError({ ...MINIMAL, 'upstream-credentials': 'shared-secret-jwt' }).message).toMatch(`${WHERE}.upstream-shared-secret: is required`);
  });

  it('the errors never contain a secret value', () => {
    const error = configError({ ...MINIMAL, http: { 'shared-secret': 'do-not-print', 'auth-enabled': false } });
    expect(error.message).not.toContain('do-not-print');
  });
});

describe('the gateway capability', () => {
  it('validates through configSchema, opens the directory with the resolved settings and context.where', async () => {
    const opened: DirectorySettings[] = [];
    const provider = createKapacitor({
      openDirectory: (settings) => {
        opened.push(settings);
        return new MemoryDirectory();
      },
    });
    expect(provider).toMatchObject({ id: 'kapacitor', name: 'Kapacitor' });
    const config = provider.gateway!.configSchema.parse(FULL);
    await provider.gateway!.createAuthenticator(config, { where: WHERE, io: { fetch, timeoutMs: 1000 }, now: Date.now, env: {}, log: () => {} });
    expect(opened).toEqual([expect.objectContaining({ kind: 'meta', url: 'https://172.17.0.2:8091', where: `${WHERE}.auth` })]);
  });

  it('by default a route reads its users from the meta node its meta-addr names', async () => {
    const meta = await startInfluxMetaDouble({ internalSharedSecret: 'internal-secret' });
    try {
      meta.addUser('alice', 'alice-pw', { '': ['KapacitorAPI'] });
      const provider = createKapacitor();
      const config = provider.gateway!.configSchema.parse({
        auth: { 'meta-addr': new URL(meta.url).host, 'meta-internal-shared-secret': 'internal-secret', 'bcrypt-cost': 4 },
      });
      const authenticator = await provider.gateway!.createAuthenticator(config, { where: WHERE, io: { fetch, timeoutMs: 5000 }, now: Date.now, env: {}, log: () => {} });
      const request = (password: string) => ({
        method: 'GET',
        path: '/kapacitor/v1/tasks',
        query: new URLSearchParams(),
        headers: { authorization: `Basic ${Buffer.from(`alice:${password}`).toString('base64')}` },
        signal: new AbortController().signal,
      });
      expect(await authenticator.authenticate(request('alice-pw'))).toMatchObject({ allow: true, principal: { subject: 'alice' } });
      expect(await authenticator.authenticate(request('wrong'))).toMatchObject({ allow: false, status: 401 });
      // Kapacitor's meta client: GET /user?name= signed with the internal shared secret and an empty username.
      expect(meta.requests).toContainEqual(expect.objectContaining({ method: 'GET', target: '/user?name=alice', auth: 'bearer:' }));
    } finally {
      await meta.close();
    }
  });

  it('an OSS directory without admin credentials is refused at startup, naming the key', async () => {
    const provider = createKapacitor();
    const config = provider.gateway!.configSchema.parse({ auth: { 'meta-addr': '127.0.0.1:8086', directory: 'oss' } });
    const start = provider.gateway!.createAuthenticator(config, { where: WHERE, io: { fetch, timeoutMs: 1000 }, now: Date.now, env: {}, log: () => {} });
    await expect(start).rejects.toMatchObject({ code: 'CONFIG_INVALID', details: { key: `${WHERE}.auth.meta-username` } });
  });
});
