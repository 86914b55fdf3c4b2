import { startTestIdP, type TestIdP } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider } from '../../src/contracts/v1/provider.js';
import { login } from '../../src/session/login.js';
import type { SessionContext } from '../../src/session/types.js';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { tokenKey } from '../../src/token-set.js';
import { emitted, recordingInteraction } from '../flows/support/interaction.js';
import { CONFIG_FILE, sessionFor, testProvider } from '../flows/support/session.js';

let idp: TestIdP;
beforeAll(async () => {
  idp = await startTestIdP();
});
afterAll(() => idp.close());

function withProvider(ctx: SessionContext, oauth: Partial<NonNullable<Provider['oauth']>>): SessionContext {
  const provider = { ...testProvider, oauth: { ...testProvider.oauth!, ...oauth } } as Provider;
  return { ...ctx, provider };
}

/** Runs a browser login that nobody completes, and returns the authorization URL it showed. */
async function authorizationUrl(ctx: SessionContext): Promise<URL> {
  const { interaction, steps } = recordingInteraction();
  await login({ ...ctx, interaction }, { flow: 'browser', options: { noBrowser: true, loginTimeoutMs: 100 } }).catch(() => undefined);
  return new URL(String(emitted(steps, 'open_url')[0]?.url));
}

describe('login', () => {
  it('the flow asked for wins over the profile flow', async () => {
    const ctx = sessionFor(
      { issuer: idp.issuer, client_id: 'authctl', flow: 'device', service_account: { client_id: 'svc' } },
      { secrets: { clientSecret: async () => 'svc-secret' } },
    );

    expect((await login(ctx, { flow: 'client-credentials' })).flow).toBe('client-credentials');
  });

  it('without a flow in the request or the profile, the provider default applies', async () => {
    const base = sessionFor({ issuer: idp.issuer, service_account: { client_id: 'svc' } }, { secrets: { clientSecret: async () => 'svc-secret' } });
    const ctx = withProvider(base, { defaults: () => ({ flow: 'client-credentials', client_id: 'authctl' }) });

    expect((await login(ctx)).flow).toBe('client-credentials');
  });

  it('without any client_id it is CONFIG_INVALID naming profiles.NAME.client_id and the file', async () => {
    await expect(login(sessionFor({ issuer: idp.issuer }), { flow: 'device' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining(CONFIG_FILE),
      details: { key: 'profiles.dev.client_id', profile: 'dev' },
    });
  });

  it('sends the profile scopes, or openid by default, and the provider and profile parameters (profile wins)', async () => {
    const base = sessionFor({ issuer: idp.issuer, client_id: 'authctl', parameters: { ui_locales: 'de', prompt: 'login' } });
    const ctx = withProvider(base, { parameters: (flow) => ({ prompt: 'consent', acr_values: flow }) });

    const url = await authorizationUrl(ctx);
    expect(url.searchParams.get('scope')).toBe('openid');
    expect(url.searchParams.get('prompt')).toBe('login');
    expect(url.searchParams.get('ui_locales')).toBe('de');
    expect(url.searchParams.get('acr_values')).toBe('browser');

    const scoped = await authorizationUrl(sessionFor({ issuer: idp.issuer, client_id: 'authctl', scopes: ['openid', 'offline_access'] }));
    expect(scoped.searchParams.get('scope')).toBe('openid offline_access');
  });

  it('a confidential profile client authenticates with its secret in the browser flow', async () => {
    const store = createMemoryStore();
    const { interaction } = recordingInteraction({
      open(url) {
        const redirectUri = new URL(url).searchParams.get('redirect_uri') ?? '';
        void idp.user.authorize(url, redirectUri).then((callback) => fetch(callback));
        return true;
      },
    });
    const ctx = sessionFor({ issuer: idp.issuer, client_id: 'svc' }, { store, interaction, secrets: { clientSecret: async () => 'svc-secret' } });

    const credential = await login(ctx, { flow: 'browser' });

    expect(credential.client_id).toBe('svc');
    expect(await store.get(tokenKey('dev'))).toEqual(credential);
  });

  it("the service account's secret is not sent for the profile's public client", async () => {
    const { interaction } = recordingInteraction({
      open(url) {
        const redirectUri = new URL(url).searchParams.get('redirect_uri') ?? '';
        void idp.user.authorize(url, redirectUri).then((callback) => fetch(callback));
        return true;
      },
    });
    const ctx = sessionFor(
      { issuer: idp.issuer, client_id: 'authctl', service_account: { client_id: 'svc' } },
      { interaction, secrets: { clientSecret: async () => 'svc-secret' } },
    );

    // oidc-provider refuses client authentication from a client registered with token_endpoint_auth_method none.
    const credential = await login(ctx, { flow: 'browser' });

    expect(credential.client_id).toBe('authctl');
  });

  it('stores the server the credential came from, for refresh and revocation without discovery', async () => {
    const ctx = sessionFor(
      { issuer: idp.issuer, service_account: { client_id: 'svc' }, client_id: 'authctl' },
      { secrets: { clientSecret: async () => 'svc-secret' } },
    );

    const credential = await login(ctx, { flow: 'client-credentials' });

    expect(credential.server).toEqual({
      issuer: idp.issuer,
      token_endpoint: `${idp.issuer}/token`,
      revocation_endpoint: `${idp.issuer}/token/revocation`,
    });
  });
});
