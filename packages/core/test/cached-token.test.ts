import { spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { readCachedToken } from '../src/cached-token.js';
import { EXIT_CODES } from '../src/errors.js';
import { writeSinks } from '../src/sinks/sink-files.js';
import { createFileStore } from '../src/stores/file-store.js';
import { tokenKey } from '../src/token-set.js';
import { builtDist, oauthCredential, rejectedAuthError, useTempDirs } from './stores/helpers.js';

const tempDir = useTempDirs();
const NOW = 1_800_000_000;

const PROFILES = `
default_profile = "dev"
[profiles.dev]
provider = "oidc"
issuer = "http://127.0.0.1:8080"
[profiles.prod]
provider = "oidc"
issuer = "https://idp.example.com"
`;

/** An isolated AUTHCTL_HOME with a config and the file store the full path would use. */
async function home(toml = PROFILES) {
  const dir = await tempDir();
  await writeFile(join(dir, 'config.toml'), toml);
  const env = { AUTHCTL_HOME: dir };
  return { dir, env, store: createFileStore({ dir: join(dir, 'state', 'credentials') }) };
}

describe('readCachedToken (print-token hot path)', () => {
  it('a token the file store saved, far from expiry, is fresh', async () => {
    const { env, store } = await home();
    await store.set(tokenKey('dev'), oauthCredential({ access_token: 'at-1', issued_at: NOW - 60, expires_at: NOW + 3540 }));
    expect(await readCachedToken({ env, now: NOW })).toEqual({
      state: 'fresh',
      profile: 'dev',
      token: { access_token: 'at-1', token_type: 'Bearer', expires_at: NOW + 3540 },
    });
  });

  it('a token inside the refresh window is stale, as is an expired one', async () => {
    const { env, store } = await home();
    await store.set(tokenKey('dev'), oauthCredential({ issued_at: NOW - 3570, expires_at: NOW + 30 }));
    expect(await readCachedToken({ env, now: NOW })).toEqual({ state: 'stale', profile: 'dev' });
    expect(await readCachedToken({ env, now: NOW + 31 })).toEqual({ state: 'stale', profile: 'dev' });
  });

  it('a running agent\'s fresh sink answers with no store read; inside the refresh window, from a dead agent, or under --config it is ignored', async () => {
    const { dir, env } = await home();
    const sinkToken = { access_token: 'from-sink', token_type: 'Bearer', issued_at: NOW - 60, expires_at: NOW + 3540 };
    await writeSinks(dir, 'dev', sinkToken, process.pid);
    expect(await readCachedToken({ env, now: NOW })).toEqual({
      state: 'fresh',
      profile: 'dev',
      token: { access_token: 'from-sink', token_type: 'Bearer', expires_at: NOW + 3540 },
    });
    expect(await readCachedToken({ env, now: NOW + 3500 })).toEqual({ state: 'missing', profile: 'dev' });
    expect(await readCachedToken({ env, now: NOW, configFile: join(dir, 'config.toml') })).toEqual({ state: 'missing', profile: 'dev' });
    const dead = spawnSync(process.execPath, ['-p', 'process.pid'], { encoding: 'utf8' });
    await writeSinks(dir, 'dev', sinkToken, Number(dead.stdout));
    expect(await readCachedToken({ env, now: NOW })).toEqual({ state: 'missing', profile: 'dev' });
  });

  it('no credential file is missing', async () => {
    const { env } = await home();
    expect(await readCachedToken({ env, now: NOW })).toEqual({ state: 'missing', profile: 'dev' });
  });

  it('Basic credentials come back as basic (for print-token --header), never as a bearer token', async () => {
    const { env, store } = await home();
    await store.set(tokenKey('dev'), { kind: 'basic', username: 'u', password: 'p:w' });
    expect(await readCachedToken({ env, now: NOW })).toEqual({ state: 'basic', profile: 'dev', credential: { username: 'u', password: 'p:w' } });
  });

  it('a client secret saved by configure is stale: never handed out as a token', async () => {
    const { env, store } = await home();
    await store.set(tokenKey('dev'), { kind: 'secret', value: 's3cret' });
    expect(await readCachedToken({ env, now: NOW })).toEqual({ state: 'stale', profile: 'dev' });
  });

  it('picks the profile flag > AUTHCTL_PROFILE > default_profile', async () => {
    const { env, store } = await home();
    await store.set(tokenKey('prod'), oauthCredential({ access_token: 'prod-at', issued_at: NOW, expires_at: NOW + 3600 }));
    expect((await readCachedToken({ env: { ...env, AUTHCTL_PROFILE: 'prod' }, now: NOW })).state).toBe('fresh');
    expect((await readCachedToken({ env: { ...env, AUTHCTL_PROFILE: 'prod' }, profile: 'dev', now: NOW })).state).toBe('missing');
    expect((await readCachedToken({ env, now: NOW })).profile).toBe('dev');
  });

  it('honours configFile and store.path', async () => {
    const { dir, env } = await home();
    const other = join(dir, 'other.toml');
    await writeFile(other, '[store]\npath = "elsewhere"\n[profiles.x]\nprovider = "oidc"\n');
    await createFileStore({ dir: join(dir, 'elsewhere', 'credentials') }).set(
      'x',
      oauthCredential({ issued_at: NOW, expires_at: NOW + 3600 }),
    );
    expect((await readCachedToken({ env, configFile: other, profile: 'x', now: NOW })).state).toBe('fresh');
  });

  it('an unknown profile is PROFILE_NOT_FOUND listing the available ones', async () => {
    const { env } = await home();
    const error = await rejectedAuthError(readCachedToken({ env, profile: 'staging', now: NOW }));
    expect(error.code).toBe('PROFILE_NOT_FOUND');
    expect(error.message).toContain('(available: dev, prod)');
    expect(error.hint).toBe('run `authctl configure --profile staging`');
  });

  it('malformed config.toml is CONFIG_INVALID naming the file and line', async () => {
    const { env, dir } = await home('default_profile = "dev"\n[profiles.dev\n');
    const error = await rejectedAuthError(readCachedToken({ env, now: NOW }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(`${join(dir, 'config.toml')}:2:`);
  });

  it('a world-readable credential file is STORE_INSECURE, exactly as in the file store', async () => {
    const { env, dir, store } = await home();
    await store.set('dev', oauthCredential({ issued_at: NOW, expires_at: NOW + 3600 }));
    const file = join(dir, 'state', 'credentials', 'dev.json');
    await chmod(file, 0o644);
    const error = await rejectedAuthError(readCachedToken({ env, now: NOW }));
    expect(error.code).toBe('STORE_INSECURE');
    expect(EXIT_CODES[error.code]).toBe(2);
    expect(error.message).toContain(file);
    expect(error.hint).toBe(`chmod 600 ${file}`);
    const full = await rejectedAuthError(store.get('dev'));
    expect(full.message).toBe(error.message);
  });

  it('a credential file another user owns is STORE_INSECURE on the hot path too, its token not handed out', async () => {
    const { env, dir } = await home();
    await createFileStore({ dir: join(dir, 'state', 'credentials') }).set('dev', oauthCredential({ issued_at: NOW, expires_at: NOW + 3600 }));
    const file = join(dir, 'state', 'credentials', 'dev.json');
    await chown(file, 65534, 65534);
    const error = await rejectedAuthError(readCachedToken({ env, now: NOW }));
    expect(error.code).toBe('STORE_INSECURE');
    expect(error.message).toBe(`${file} is owned by another user (uid 65534); refusing to use it`);
  });

  it('a config.toml another user owns is refused on the hot path before any token is read', async () => {
    const { env, dir, store } = await home();
    await store.set('dev', oauthCredential({ issued_at: NOW, expires_at: NOW + 3600 }));
    await chown(join(dir, 'config.toml'), 65534, 65534);
    expect((await rejectedAuthError(readCachedToken({ env, now: NOW }))).code).toBe('CONFIG_INVALID');
  });

  it.each([
    ['not JSON', '{"kind":"oauth","tokens":{"access_token":"at-sec', 'is not valid JSON'],
    ['an unknown kind', JSON.stringify({ kind: 'magic' }), 'bad kind'],
    ['a token without expiry', JSON.stringify({ ...oauthCredential(), tokens: { access_token: 'at-sec', token_type: 'Bearer' } }), 'bad tokens.expires_at'],
    ['a non-integer expiry', JSON.stringify(oauthCredential({ expires_at: NOW + 0.5 })), 'bad tokens.expires_at'],
    ['an empty access token', JSON.stringify(oauthCredential({ access_token: '' })), 'bad tokens.access_token'],
    // RFC 6750 §2.1: printed with --header, this would add a header line of the IdP's choosing.
    ['an access token with CR LF', JSON.stringify(oauthCredential({ access_token: 'at-sec\r\nX-Injected: yes' })), 'bad tokens.access_token'],
    ['an access token with a space', JSON.stringify(oauthCredential({ access_token: 'at-sec more' })), 'bad tokens.access_token'],
    ['a token type with CR LF', JSON.stringify(oauthCredential({ token_type: 'Bearer\r\nX-Injected:' })), 'bad tokens.token_type'],
  ])('a credential file with %s is STORE_CORRUPT with a login hint, on the hot path and in the file store', async (_, text, problem) => {
    const { env, dir, store } = await home();
    await mkdir(join(dir, 'state', 'credentials'), { recursive: true, mode: 0o700 });
    await writeFile(join(dir, 'state', 'credentials', 'dev.json'), text, { mode: 0o600 });
    const error = await rejectedAuthError(readCachedToken({ env, now: NOW }));
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toContain(problem);
    expect(error.message).not.toContain('at-sec');
    expect(error.hint).toBe('run `authctl login --profile dev`');
    expect((await rejectedAuthError(store.get('dev'))).code).toBe('STORE_CORRUPT');
  });

  it('store.backend = "keyring" with no OS keyring is STORE_UNAVAILABLE (the full path reports it); "auto" is a miss', async () => {
    vi.stubEnv('DBUS_SESSION_BUS_ADDRESS', undefined);
    vi.stubEnv('XDG_RUNTIME_DIR', '/nonexistent');
    try {
      const keyring = await home(`${PROFILES}\n[store]\nbackend = "keyring"\n`);
      expect((await rejectedAuthError(readCachedToken({ env: keyring.env, now: NOW }))).code).toBe('STORE_UNAVAILABLE');
      const auto = await home(`${PROFILES}\n[store]\nbackend = "auto"\n`);
      expect(await readCachedToken({ env: auto.env, now: NOW })).toEqual({ state: 'missing', profile: 'dev' });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('hot path import graph', () => {
  it('dist/cached-token.js loads no zod, oauth4webapi or proper-lockfile (only builtins, smol-toml and its own chunks)', async () => {
    const entry = builtDist('cached-token.js');
    const dir = await tempDir();
    // A module resolve hook that records every URL the entry pulls in, transitively.
    const hooks = join(dir, 'hooks.mjs');
    await writeFile(
      hooks,
      `export async function resolve(specifier, context, next) {
        const result = await next(specifier, context);
        process.stderr.write('resolved ' + result.url + '\\n');
        return result;
      }`,
    );
    const script = `import { register } from 'node:module';
      register(${JSON.stringify(pathToFileURL(hooks).href)});
      const { readCachedToken } = await import(${JSON.stringify(pathToFileURL(entry).href)});
      console.log(JSON.stringify(await readCachedToken({ env: { AUTHCTL_HOME: ${JSON.stringify(dir)} }, profile: 'none' }).catch((e) => e.code)));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    // The call ran through the whole path (config, profile lookup) without loading more.
    expect(run.stdout.trim()).toBe('"PROFILE_NOT_FOUND"');

    const urls = run.stderr.split('\n').filter((l) => l.startsWith('resolved ')).map((l) => l.slice('resolved '.length));
    expect(urls.length).toBeGreaterThan(1);
    const packages = new Set(
      urls.filter((url) => url.includes('/node_modules/')).map((url) => url.split('/node_modules/').at(-1)!.split('/')[0]!),
    );
    expect([...packages]).toEqual(['smol-toml']);
    for (const url of urls) {
      expect(url.startsWith('node:') || url.includes('/node_modules/smol-toml/') || url.startsWith(pathToFileURL(join(entry, '..')).href)).toBe(true);
    }
    expect(urls.join('\n')).not.toMatch(/zod|oauth4webapi|proper-lockfile|graceful-fs/);
  });
});
