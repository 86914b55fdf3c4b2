import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger, parseServerConfig, startAuthServer } from '../src/index.js';
import { run, start } from './support/binary.js';
import { startGatewayServer, startUpstream, tokenProvider, type TestUpstream } from './support/gateway-server.js';

const FILE = '/etc/auth-server.toml';
const ROUTES = [{ prefix: '/', public: true }];

const refused = (raw: unknown) => {
  try {
    parseServerConfig(raw, FILE);
  } catch (error) {
    return error as Error & { code: string; details: { key?: string; file?: string } };
  }
  throw new Error('expected the config to be refused');
};

describe('[gateway] validation names the file and the key', () => {
  test.each<[string, Record<string, unknown>, string, string]>([
    ['a missing upstream', { listen: '127.0.0.1:9092', routes: ROUTES }, 'gateway.upstream', 'gateway.upstream: is required'],
    ['an ftp:// upstream', { listen: '127.0.0.1:9092', upstream: 'ftp://x', routes: ROUTES }, 'gateway.upstream', 'must be an http:// or https:// URL'],
    ['an upstream with credentials', { listen: '127.0.0.1:9092', upstream: 'http://u:p@x', routes: ROUTES }, 'gateway.upstream', 'without query, #fragment or credentials'],
    ['a listen address without a port', { listen: '127.0.0.1', upstream: 'http://x', routes: ROUTES }, 'gateway.listen', 'must be HOST:PORT'],
    ['no routes', { listen: '127.0.0.1:9092', upstream: 'http://x', routes: [] }, 'gateway.routes', 'at least one [[gateway.routes]]'],
    ['a route with neither provider nor public', { listen: '127.0.0.1:9092', upstream: 'http://x', routes: [{ prefix: '/a' }] }, 'gateway.routes[0].provider', 'or set public = true'],
    ['a route with both', { listen: '127.0.0.1:9092', upstream: 'http://x', routes: [{ prefix: '/a', provider: 'x', public: true }] }, 'gateway.routes[0].public', 'either authenticated or public'],
    ['public = false', { listen: '127.0.0.1:9092', upstream: 'http://x', routes: [{ prefix: '/a', public: false }] }, 'gateway.routes[0].public', 'must be true'],
    ['an auth table on a public route', { listen: '127.0.0.1:9092', upstream: 'http://x', routes: [{ prefix: '/a', public: true, auth: {} }] }, 'gateway.routes[0].auth', 'a public route has no auth table'],
    ['an unclean prefix', { listen: '127.0.0.1:9092', upstream: 'http://x', routes: [{ prefix: '/a/../b', public: true }] }, 'gateway.routes[0].prefix', 'must be a clean path'],
    ['a prefix with a trailing slash', { listen: '127.0.0.1:9092', upstream: 'http://x', routes: [{ prefix: '/a/', public: true }] }, 'gateway.routes[0].prefix', 'without a trailing /'],
    ['a repeated prefix', { listen: '127.0.0.1:9092', upstream: 'http://x', routes: [{ prefix: '/a', public: true }, { prefix: '/a', public: true }] }, 'gateway.routes[1].prefix', 'is used by another route'],
    ['metrics on the gateway\'s own listener', { listen: '127.0.0.1:9092', metrics_listen: '127.0.0.1:9092', upstream: 'http://x', routes: ROUTES }, 'gateway.metrics_listen', 'must differ from listen'],
    ['a zero timeout', { listen: '127.0.0.1:9092', upstream: 'http://x', response_timeout_seconds: 0, routes: ROUTES }, 'gateway.response_timeout_seconds', 'must be a positive number'],
    ['an unknown key', { listen: '127.0.0.1:9092', upstream: 'http://x', routes: ROUTES, upstream_url: 'http://x' }, 'gateway.upstream_url', 'unknown key'],
  ])('%s', (_name, gateway, key, message) => {
    const error = refused({ roles: ['gateway'], gateway });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(message);
    expect(error.message).toContain(FILE);
    expect(error.details).toMatchObject({ key, file: FILE });
  });

  test('a CA file is only used with an https:// upstream', () => {
    const error = refused({ roles: ['gateway'], gateway: { listen: '127.0.0.1:0', upstream: 'http://x', upstream_ca_file: 'ca.pem', routes: ROUTES } });
    expect(error.message).toContain('gateway.upstream_ca_file: is only used with an https:// upstream');
  });

  test('roles listing gateway without a [gateway] table, and a table the roles leave off, are both refused', () => {
    expect(refused({ roles: ['gateway'] }).message).toContain('roles: lists gateway, but there is no [gateway] table');
    const table = { listen: '127.0.0.1:0', upstream: 'http://x', routes: ROUTES };
    expect(refused({ roles: ['issuer'], data_dir: 'd', gateway: table }).message).toContain('gateway: is set, but roles does not list gateway');
  });

  test('the issuer role needs a data_dir; a gateway-only config does not', () => {
    expect(refused({ roles: ['issuer'] }).message).toContain('data_dir: is required');
    const config = parseServerConfig({ roles: ['gateway'], gateway: { listen: '127.0.0.1:0', upstream: 'https://api.internal', upstream_ca_file: 'ca.pem', routes: ROUTES } }, FILE);
    expect(config.roles).toEqual(['gateway']);
    expect(config.data_dir).toBeUndefined();
    expect(config.gateway!.upstream_ca_file).toBe('/etc/ca.pem');
  });

  test('a [gateway] table switches the gateway on beside the issuer when roles is left out', () => {
    const config = parseServerConfig({ data_dir: 'd', gateway: { listen: '127.0.0.1:0', upstream: 'http://x', routes: ROUTES } }, FILE);
    expect(config.roles).toEqual(['issuer', 'gateway']);
    expect(parseServerConfig({ data_dir: 'd' }, FILE).roles).toEqual(['issuer']);
  });
});

describe('a route\'s auth table is validated by its provider at startup', () => {
  test('the provider\'s schema refusing a key names gateway.routes[i].auth.<key> and the file', async () => {
    const error = await startGatewayServer({
      upstream: 'http://127.0.0.1:1',
      routes: [{ prefix: '/', public: true }, { prefix: '/kapacitor/v1', provider: 'test-token', auth: { secret_env: 'lower case', extra: 1 } }],
    }).then(
      () => undefined,
      (e: Error & { code: string; details: { key?: string; file?: string } }) => e,
    );
    expect(error?.code).toBe('CONFIG_INVALID');
    expect(error?.message).toContain('gateway.routes[1].auth.secret_env: must name an environment variable');
    expect(error?.message).toContain('gateway.routes[1].auth: Unrecognized key');
    expect(error?.details).toMatchObject({ key: 'gateway.routes[1].auth.secret_env', file: '/etc/auth-server-gateway-test.toml' });
  });

  test('a provider that is not installed, or offers no gateway, is named with the installed ones', async () => {
    const error = await startGatewayServer({ upstream: 'http://127.0.0.1:1', routes: [{ prefix: '/', provider: 'kapacitr' }] }, [tokenProvider]).then(
      () => undefined,
      (e: Error & { details: { key?: string } }) => e,
    );
    expect(error?.message).toContain('gateway.routes[0].provider: no installed provider "kapacitr" offers a gateway (available: test-token)');
    expect(error?.details.key).toBe('gateway.routes[0].provider');
  });

  test('the bundled providers are loaded when none are injected, and only those with a gateway capability are offered', async () => {
    const config = parseServerConfig({ roles: ['gateway'], gateway: { listen: '127.0.0.1:0', upstream: 'http://127.0.0.1:1', routes: [{ prefix: '/', provider: 'aws-iam' }] } }, FILE);
    // aws-iam is bundled for its machine-login verifier; it has no gateway.
    await expect(startAuthServer({ config, logger: createLogger({ level: 'silent' }) })).rejects.toThrow(/no installed provider "aws-iam" offers a gateway/);
  });
});

describe('listening', () => {
  test('an address in use is a usage error naming gateway.listen', async () => {
    const taken = await startUpstream();
    try {
      const error = await startGatewayServer({ listen: new URL(taken.url).host, upstream: taken.url, routes: ROUTES }).then(
        () => undefined,
        (e: Error & { code: string; details: { key?: string } }) => e,
      );
      expect(error?.code).toBe('USAGE');
      expect(error?.message).toBe(`cannot listen on ${new URL(taken.url).host} (gateway.listen): EADDRINUSE`);
      expect(error?.details.key).toBe('gateway.listen');
    } finally {
      await taken.close();
    }
  });
});

describe('auth-server --config with a gateway-only config', () => {
  let dir: string;
  let upstream: TestUpstream;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'auth-server-gateway-'));
    upstream = await startUpstream();
  });
  afterAll(async () => {
    await upstream?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('serves with neither issuer nor data_dir, prints `ready <gateway URL>` and logs gateway.listening', async () => {
    const file = join(dir, 'gateway.toml');
    await writeFile(file, `roles = ["gateway"]\n\n[gateway]\nlisten = "127.0.0.1:0"\nupstream = "${upstream.url}"\n\n[[gateway.routes]]\nprefix = "/ping"\npublic = true\n`);
    const server = await start(['--config', file]);
    try {
      expect(server.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.stdout()).toBe(`ready ${server.issuer}\n`);
      expect((await fetch(`${server.issuer}/ping`)).status).toBe(200);
      expect((await fetch(`${server.issuer}/other`)).status).toBe(404);
      expect(upstream.requests.map((r) => r.url)).toEqual(['/ping']);
      await server.stderrMatch(/"event":"gateway.listening"/);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  test('a route naming a provider that offers no gateway exits 2 naming the file and key', async () => {
    const file = join(dir, 'bad.toml');
    await writeFile(file, `roles = ["gateway"]\n[gateway]\nlisten = "127.0.0.1:0"\nupstream = "http://127.0.0.1:1"\n[[gateway.routes]]\nprefix = "/"\nprovider = "gcp"\n`);
    const result = await run(['--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}: invalid gateway routes`);
    expect(result.stderr).toContain('gateway.routes[0].provider: no installed provider "gcp" offers a gateway');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
