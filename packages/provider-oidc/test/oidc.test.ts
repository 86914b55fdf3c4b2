import { fileURLToPath } from 'node:url';
import {
  AuthError,
  createMemoryStore,
  loadProvider,
  providerCatalog,
  login,
  resolveProfile,
  type AuthctlConfig,
  type Interaction,
  type InteractionEvent,
  type SessionContext,
} from '@auth/core';
import { devicePerson, startTestIdP, type TestIdP } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import oidcDefault, { createOidc, oidc } from '../src/index.js';

/** This package's folder: loadProvider finds it there as AUTHCTL_PLUGIN_PATH names it, as authctl would. */
const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

let idp: TestIdP;
beforeAll(async () => {
  idp = await startTestIdP({ deviceInterval: 1 });
});
afterAll(() => idp.close());

const FILE = '/home/someone/.config/authctl/config.toml';

function config(profile: Record<string, unknown>): AuthctlConfig {
  return {
    home: '/home/someone/.config/authctl',
    file: FILE,
    exists: true,
    store: { backend: 'file', path: '/home/someone/.config/authctl/state' },
    profiles: { dev: { provider: 'oidc', ...profile } },
  };
}

/** A person who approves every device code at the test IdP as soon as it is shown. */
function approvingPerson(): { interaction: Interaction; events: InteractionEvent[] } {
  return devicePerson((userCode, event) => void idp.user.approveDevice(String(event.verification_uri), userCode)) as {
    interaction: Interaction;
    events: InteractionEvent[];
  };
}

// Discovery, explicit endpoints, every flow and the error mapping: test/conformance.test.ts (the testkit's conformance suite).
describe('@auth/provider-oidc', () => {
  it('is what loadProvider finds for provider = "oidc"', async () => {
    const loaded = await loadProvider('oidc', providerCatalog({ cwd: PACKAGE, env: { AUTHCTL_PLUGIN_PATH: PACKAGE } }, String));

    expect(loaded.id).toBe('oidc');
    expect(loaded.specificationVersion).toBe('v1');
    expect(oidcDefault).toBe(oidc);
  });

  it('requires issuer or token_url, and names the profile key', () => {
    const error = (() => {
      try {
        resolveProfile(config({ client_id: 'authctl' }), 'dev', oidc);
      } catch (e) {
        return e;
      }
    })();

    expect(AuthError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', details: { key: 'profiles.dev.issuer', file: FILE } });
    expect((error as Error).message).toContain('token_url');
  });

  it('refuses issuer together with explicit endpoints, naming the conflicting key', () => {
    expect(() =>
      resolveProfile(config({ issuer: idp.issuer, token_url: `${idp.issuer}/token` }), 'dev', oidc),
    ).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', details: expect.objectContaining({ key: 'profiles.dev.token_url' }) }));
    expect(() =>
      resolveProfile(config({ issuer: idp.issuer, device_url: `${idp.issuer}/device/auth` }), 'dev', oidc),
    ).toThrow(expect.objectContaining({ details: expect.objectContaining({ key: 'profiles.dev.device_url' }) }));
  });

  it('refuses a plain http:// issuer that is not loopback, naming the URL, profile and key', () => {
    expect(() => resolveProfile(config({ issuer: 'http://idp.example.com' }), 'dev', oidc)).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining('http://idp.example.com'),
        details: expect.objectContaining({ key: 'profiles.dev.issuer', profile: 'dev' }),
      }),
    );
  });

  it('createOidc ships an IdP under its own id with its own defaults', async () => {
    const corp = createOidc({ id: 'corp', name: 'Corp SSO', defaults: { client_id: 'authctl', flow: 'device' } });
    const person = approvingPerson();
    const ctx: SessionContext = {
      profile: resolveProfile({ ...config({}), profiles: { dev: { provider: 'corp', issuer: idp.issuer } } }, 'dev', corp),
      provider: corp,
      store: createMemoryStore(),
      interaction: person.interaction,
    };

    const credential = await login(ctx);

    expect(corp.id).toBe('corp');
    expect(credential).toMatchObject({ flow: 'device', client_id: 'authctl' });
    expect(credential.tokens.scope).toContain('openid');
  });
});
