import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { resolveProfile } from '../../src/config/resolve-profile.js';
import type { AuthctlConfig, CommonProfileSettings } from '../../src/config/types.js';
import type { ProfileSettings, Provider } from '../../src/contracts/v1/provider.js';
import { explicitAuthorizationServer } from '../../src/flows/authorization-server.js';
import { defineProvider } from '../../src/plugins/define-provider.js';

/** Shaped like provider-auth0: its own `audience`, with the common `parameters.audience` as the other spelling. */
const audienceProvider = defineProvider<{ audience?: string; token_url: string }>({
  specificationVersion: 'v1',
  id: 'audienced',
  name: 'Audience-style test provider',
  options: z.object({ audience: z.string().optional(), token_url: z.string() }),
  oauth: {
    specificationVersion: 'v1',
    resolveServer: async (settings) => explicitAuthorizationServer({ token_url: settings.token_url }),
    // Common keys (parameters, client_id, scopes) are read without a cast: the hooks are typed with them.
    parameters: (_flow, settings): Record<string, string> => {
      const audience = settings.audience ?? settings.parameters?.audience;
      return audience === undefined ? {} : { audience };
    },
    defaults: (settings) => ({ scopes: settings.client_id === undefined ? ['openid'] : [`${settings.client_id}/.default`] }),
  },
});

const config: AuthctlConfig = {
  home: '/home/someone/.config/authctl',
  file: '/home/someone/.config/authctl/config.toml',
  exists: true,
  store: { backend: 'file', path: '/home/someone/.config/authctl/state' },
  profiles: { dev: { provider: 'audienced', token_url: 'https://idp.example.com/token', client_id: 'app', parameters: { audience: 'https://api.example.com' } } },
};

describe("a provider's hooks see its own settings plus the common ones", () => {
  it('types every OAuth hook with ProfileSettings, the common keys included', () => {
    type Hooks = NonNullable<(typeof audienceProvider)['oauth']>;
    expectTypeOf<Parameters<Hooks['resolveServer']>[0]>().toEqualTypeOf<ProfileSettings<{ audience?: string; token_url: string }>>();
    expectTypeOf<Parameters<NonNullable<Hooks['parameters']>>[1]>().toExtend<CommonProfileSettings>();
    expectTypeOf<Parameters<NonNullable<Hooks['defaults']>>[0]>().toExtend<CommonProfileSettings>();
  });

  it('a hook reads a common key of the resolved profile, as core hands it over', () => {
    const { settings } = resolveProfile(config, 'dev', audienceProvider, {}, {});
    const asCoreSeesIt: Provider<any> = audienceProvider;
    expect(asCoreSeesIt.oauth!.parameters!('device', settings, { profile: 'dev', file: config.file })).toEqual({
      audience: 'https://api.example.com',
    });
  });
});
