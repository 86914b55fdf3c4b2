import { fileURLToPath } from 'node:url';
import { createServer, type Server } from 'node:http';
import { createMemoryStore, loadProvider, providerCatalog, login, resolveProfile, type AuthctlConfig, type Interaction, type SessionContext } from '@auth/core';
import { startTestIdP, type TestIdP } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import keycloakDefault, { DEFAULT_CLIENT_ID, keycloak, keycloakIssuer } from '../src/index.js';

/** This package's folder: loadProvider finds it there as AUTHCTL_PLUGIN_PATH names it, as authctl would. */
const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

/**
 * Keycloak publishes each realm's OpenID configuration at
 * `{base}/realms/{realm}/.well-known/openid-configuration` (`{base}` is `/auth`
 * before Keycloak 17). No Keycloak runs here: this real HTTP server publishes
 * such a document for realm paths, with the testkit IdP's token endpoint, and
 * records which discovery URLs were asked for.
 */
let idp: TestIdP;
let realmHost: Server;
let origin: string;
const requested: string[] = [];
const realms = new Set(['/realms/insights', '/auth/realms/insights', '/realms/other']);

beforeAll(async () => {
  idp = await startTestIdP();
  realmHost = createServer((req, res) => {
    const path = req.url ?? '';
    requested.push(path);
    const realm = path.replace(/\/\.well-known\/openid-configuration$/, '');
    if (!path.endsWith('/.well-known/openid-configuration') || !realms.has(realm)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Realm does not exist"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        issuer: `${origin}${realm}`,
        token_endpoint: `${idp.issuer}/token`,
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        grant_types_supported: ['client_credentials'],
      }),
    );
  });
  await new Promise<void>((resolve) => realmHost.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(realmHost.address() as { port: number }).port}`;
});
afterAll(async () => {
  realmHost.close();
  await idp.close();
});

const silent: Interaction = {
  print: () => {},
  progress: () => {},
  emit: () => {},
  prompt: async () => '',
  promptSecret: async () => '',
  openUrl: async () => false,
};

function config(profile: Record<string, unknown>): AuthctlConfig {
  return {
    home: '/home/someone/.config/authctl',
    file: '/home/someone/.config/authctl/config.toml',
    exists: true,
    store: { backend: 'file', path: '/home/someone/.config/authctl/state' },
    profiles: { dev: { provider: 'keycloak', ...profile } },
  };
}

function serviceAccountSession(profile: Record<string, unknown>): SessionContext {
  return {
    profile: resolveProfile(config({ service_account: { client_id: 'svc' }, ...profile }), 'dev', keycloak),
    provider: keycloak,
    store: createMemoryStore(),
    interaction: silent,
    secrets: { clientSecret: async () => 'svc-secret' },
  };
}

describe('@auth/provider-keycloak', () => {
  it('is what loadProvider finds for provider = "keycloak"', async () => {
    const loaded = await loadProvider('keycloak', providerCatalog({ cwd: PACKAGE, env: { AUTHCTL_PLUGIN_PATH: PACKAGE } }, String));

    expect(loaded.id).toBe('keycloak');
    expect(keycloakDefault).toBe(keycloak);
  });

  it('derives the realm issuer from url, realm and base_path', () => {
    expect(keycloakIssuer({ url: 'https://insights.example.com/', realm: 'insights', base_path: '' })).toBe(
      'https://insights.example.com/realms/insights',
    );
    expect(keycloakIssuer({ url: 'https://kc.example.com', realm: 'my realm', base_path: '/auth' })).toBe(
      'https://kc.example.com/auth/realms/my%20realm',
    );
  });

  it('defaults to realm insights and client insights-app, like kxi', () => {
    const profile = resolveProfile(config({ url: 'https://insights.example.com' }), 'dev', keycloak);

    expect(profile.settings).toMatchObject({ realm: 'insights', base_path: '' });
    expect(keycloak.oauth?.defaults?.(profile.settings as never)).toMatchObject({ client_id: DEFAULT_CLIENT_ID, scopes: ['openid'] });
  });

  it('discovers the default realm under url and logs a service account in', async () => {
    requested.length = 0;

    const credential = await login(serviceAccountSession({ url: origin }), { flow: 'client-credentials' });

    expect(requested).toEqual(['/realms/insights/.well-known/openid-configuration']);
    expect(credential.server).toMatchObject({ issuer: `${origin}/realms/insights`, token_endpoint: `${idp.issuer}/token` });
    expect(credential.client_id).toBe('svc');
  });

  it('a legacy Keycloak needs base_path = "/auth"; without it discovery finds no realm', async () => {
    realms.delete('/realms/insights');
    try {
      await expect(login(serviceAccountSession({ url: origin }), { flow: 'client-credentials' })).rejects.toMatchObject({
        code: 'PROTOCOL',
        details: { url: expect.stringContaining('/realms/insights') },
      });

      requested.length = 0;
      const credential = await login(serviceAccountSession({ url: origin, base_path: '/auth' }), { flow: 'client-credentials' });
      expect(requested).toEqual(['/auth/realms/insights/.well-known/openid-configuration']);
      expect(credential.server.issuer).toBe(`${origin}/auth/realms/insights`);
    } finally {
      realms.add('/realms/insights');
    }
  });

  it('uses the realm the profile names', async () => {
    const credential = await login(serviceAccountSession({ url: origin, realm: 'other' }), { flow: 'client-credentials' });

    expect(credential.server.issuer).toBe(`${origin}/realms/other`);
  });

  it('refuses a url that is not a URL, naming profiles.NAME.url', () => {
    expect(() => resolveProfile(config({ url: 'insights.example.com' }), 'dev', keycloak)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', details: expect.objectContaining({ key: 'profiles.dev.url' }) }),
    );
  });
});
