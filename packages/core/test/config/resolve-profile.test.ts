import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/config/load-config.js';
import { profileProviderId, resolveProfile, selectProfileName } from '../../src/config/resolve-profile.js';
import type { AuthctlConfig } from '../../src/config/types.js';
import type { Provider } from '../../src/contracts/v1/provider.js';
import { EXIT_CODES } from '../../src/errors.js';
import { thrownAuthError, useTempDirs } from '../stores/helpers.js';

const tempDir = useTempDirs();

/** A provider shaped like provider-keycloak: its own keys, one with a default, one required. */
const realmProvider: Provider<{ url: string; realm: string; base_path?: string; api_token?: string }> = {
  specificationVersion: 'v1',
  id: 'realmish',
  name: 'Realm-style test provider',
  options: z.object({
    url: z.string(),
    realm: z.string().default('insights'),
    base_path: z.string().optional(),
    api_token: z.string().optional(),
  }),
};

/** A provider shaped like provider-oidc: discovery or explicit endpoints, checked by a refinement. */
const endpointProvider: Provider<{ issuer?: string; token_url?: string }> = {
  specificationVersion: 'v1',
  id: 'endpoints',
  name: 'Endpoint-style test provider',
  options: z
    .object({ issuer: z.string().optional(), token_url: z.string().optional() })
    .refine((s) => s.issuer !== undefined || s.token_url !== undefined, { message: 'set either issuer or token_url' }),
};

async function configFrom(toml: string): Promise<AuthctlConfig> {
  const home = await tempDir();
  await writeFile(join(home, 'config.toml'), toml);
  return loadConfig({ env: { AUTHCTL_HOME: home } });
}

const DEV = `
[profiles.dev]
provider = "realmish"
url = "https://insights.example.com"
client_id = "insights-app"
`;

describe('selectProfileName: flag > AUTHCTL_PROFILE > default_profile > "default"', () => {
  it('takes each source in precedence order', async () => {
    const config = await configFrom('default_profile = "fromfile"');
    expect(selectProfileName(config, 'fromflag', { AUTHCTL_PROFILE: 'fromenv' })).toBe('fromflag');
    expect(selectProfileName(config, undefined, { AUTHCTL_PROFILE: 'fromenv' })).toBe('fromenv');
    expect(selectProfileName(config, undefined, {})).toBe('fromfile');
    expect(selectProfileName(await configFrom(''), undefined, {})).toBe('default');
  });

  it('an empty AUTHCTL_PROFILE counts as unset; an empty --profile is USAGE, never the default profile', async () => {
    const config = await configFrom('default_profile = "fromfile"');
    expect(selectProfileName(config, undefined, { AUTHCTL_PROFILE: '' })).toBe('fromfile');
    const error = (() => {
      try {
        return selectProfileName(config, '', {});
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ code: 'USAGE', message: '--profile is empty' });
  });

  it('a name that could alias another key or overflow a file name is USAGE naming the source and the rule', async () => {
    const config = await configFrom('');
    for (const [flag, env, message] of [
      ['svc#client_secret', {}, '--profile "svc#client_secret" is not a valid profile name'],
      [undefined, { AUTHCTL_PROFILE: 'проф'.repeat(10) }, `AUTHCTL_PROFILE "${'проф'.repeat(10)}" is not a valid profile name`],
      ['a'.repeat(65), {}, 'is not a valid profile name'],
      ['../up', {}, 'is not a valid profile name'],
    ] as const) {
      expect(() => selectProfileName(config, flag, env)).toThrow(message);
    }
    expect(selectProfileName(config, `A1.b_c-${'d'.repeat(57)}`, {})).toHaveLength(64);
  });
});

describe('profileProviderId', () => {
  it('returns the provider a profile names', async () => {
    expect(profileProviderId(await configFrom(DEV), 'dev')).toBe('realmish');
  });

  it('an unknown profile is PROFILE_NOT_FOUND listing the available ones, with a configure hint', async () => {
    const config = await configFrom(`${DEV}\n[profiles.prod]\nprovider = "realmish"\nurl = "https://x"\n`);
    const error = thrownAuthError(() => profileProviderId(config, 'staging'));
    expect(error.code).toBe('PROFILE_NOT_FOUND');
    expect(EXIT_CODES[error.code]).toBe(2);
    expect(error.message).toBe(`${config.file}: no profile "staging" (available: dev, prod)`);
    expect(error.hint).toBe('run `authctl configure --profile staging`');
  });

  it('a near miss of a profile is PROFILE_NOT_FOUND with "did you mean", never a hint to create the typo', async () => {
    const config = await configFrom(`${DEV}\n[profiles.prod]\nprovider = "realmish"\nurl = "https://x"\n`);
    const error = thrownAuthError(() => profileProviderId(config, 'devv'));
    expect(error.code).toBe('PROFILE_NOT_FOUND');
    expect(error.message).toBe(`${config.file}: no profile "devv" (available: dev, prod); did you mean dev?`);
    expect(error.hint).toBe('use --profile dev, or `authctl profile list` for all profiles');
  });

  it('with no config file at all, PROFILE_NOT_FOUND says the file does not exist', async () => {
    const config = await loadConfig({ env: { AUTHCTL_HOME: await tempDir() } });
    expect(thrownAuthError(() => profileProviderId(config, 'default')).message).toBe(
      `no profile "default": ${config.file} does not exist`,
    );
  });

  it('a profile without provider is CONFIG_INVALID naming profiles.NAME.provider', async () => {
    const config = await configFrom('[profiles.dev]\nclient_id = "x"');
    const error = thrownAuthError(() => profileProviderId(config, 'dev'));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(`${config.file}: profiles.dev.provider is required`);
  });
});

describe('resolveProfile', () => {
  it('returns common and provider settings, with provider defaults filled in', async () => {
    const config = await configFrom(`${DEV}scopes = ["openid", "profile"]\ntimeout = 15\nflow = "device"\n[profiles.dev.service_account]\nclient_id = "test-publisher"\n`);
    expect(resolveProfile(config, 'dev', realmProvider)).toEqual({
      name: 'dev',
      file: config.file,
      settings: {
        provider: 'realmish',
        url: 'https://insights.example.com',
        realm: 'insights',
        client_id: 'insights-app',
        scopes: ['openid', 'profile'],
        timeout: 15,
        flow: 'device',
        service_account: { client_id: 'test-publisher' },
      },
    });
  });

  it('precedence: an override (flag or env) beats the profile value', async () => {
    const config = await configFrom(`${DEV}flow = "browser"\ntimeout = 15\n`);
    const { settings } = resolveProfile(config, 'dev', realmProvider, { flow: 'device', timeout: undefined });
    expect(settings.flow).toBe('device');
    expect(settings.timeout).toBe(15);
  });

  it('a non-numeric timeout is CONFIG_INVALID naming file, profile and key, and showing the value', async () => {
    const config = await configFrom(`${DEV}timeout = "abc"\n`);
    const error = thrownAuthError(() => resolveProfile(config, 'dev', realmProvider));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(`${config.file}: profiles.dev.timeout must be a number of seconds from 1 to 3600 (got "abc")`);
    expect(error.details).toMatchObject({ file: config.file, profile: 'dev', key: 'profiles.dev.timeout' });
    expect(error.hint).toBe(`fix profiles.dev.timeout in ${config.file}`);
  });

  it.each([
    ['timeout = -3', 'profiles.dev.timeout must be a number of seconds from 1 to 3600 (got -3)'],
    // Beyond what a timer can hold (2^31 - 1 ms), Node fires it at once: every request would time out.
    ['timeout = 1e308', 'profiles.dev.timeout must be a number of seconds from 1 to 3600 (got 1e+308)'],
    ['timeout = 0.000001', 'profiles.dev.timeout must be a number of seconds from 1 to 3600 (got 0.000001)'],
    ['timeout = inf', 'profiles.dev.timeout must be a number of seconds from 1 to 3600 (got Infinity)'],
    ['scopes = "openid"', 'profiles.dev.scopes must be an array of strings (scopes = ["openid"]) (got "openid")'],
    ['scopes = ["openid", 7]', 'profiles.dev.scopes.1 must be a non-empty string (got 7)'],
    ['flow = "magic"', 'profiles.dev.flow must be one of browser, code, device, client-credentials, password (got "magic")'],
    ['allow_http = "yes"', 'profiles.dev.allow_http must be true or false (got "yes")'],
    ['redirect_port = 70000', 'profiles.dev.redirect_port must be a port number (0-65535) (got 70000)'],
    ['parameters = { audience = 5 }', 'profiles.dev.parameters.audience must be a string (got 5)'],
    ['service_account = { client_id = 5 }', 'profiles.dev.service_account.client_id must be a non-empty string (got 5)'],
    ['realm = 5', 'profiles.dev.realm must be a string (got 5)'],
  ])('bad type: %s', async (line, message) => {
    const config = await configFrom(`${DEV}${line}\n`);
    expect(thrownAuthError(() => resolveProfile(config, 'dev', realmProvider)).message).toBe(`${config.file}: ${message}`);
  });

  it('a missing required provider key is CONFIG_INVALID "is required"', async () => {
    const config = await configFrom('[profiles.dev]\nprovider = "realmish"\n');
    expect(thrownAuthError(() => resolveProfile(config, 'dev', realmProvider)).message).toBe(`${config.file}: profiles.dev.url is required`);
  });

  it("a provider's own refinement message is reported at the profile", async () => {
    const config = await configFrom('[profiles.dev]\nprovider = "endpoints"\n');
    expect(thrownAuthError(() => resolveProfile(config, 'dev', endpointProvider)).message).toBe(
      `${config.file}: profiles.dev: set either issuer or token_url`,
    );
  });

  it('an unknown key is CONFIG_INVALID naming profiles.NAME.KEY and the file, with the known keys in the hint', async () => {
    const config = await configFrom(`${DEV}relm = "insights"\n`);
    const error = thrownAuthError(() => resolveProfile(config, 'dev', realmProvider));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(`${config.file}: profiles.dev.relm is not a known key for provider "realmish"`);
    expect(error.hint).toContain(config.file);
    expect(error.hint).toContain('realm');
    expect(error.hint).toContain('client_id');
  });

  it('a machine-identity profile keeps method, domain and its method settings; a method that is no method name is CONFIG_INVALID', async () => {
    const machine = `${DEV}method = "universal-auth"\ndomain = "https://auth.example.com"\nidentity_id = "id-1"\njwt_file = "/run/token"\n`;
    const resolved = resolveProfile(await configFrom(machine), 'dev', realmProvider);
    expect(resolved.settings).toMatchObject({ method: 'universal-auth', domain: 'https://auth.example.com', identity_id: 'id-1', jwt_file: '/run/token' });

    const config = await configFrom(`${DEV}method = "Universal Auth"\n`);
    const error = thrownAuthError(() => resolveProfile(config, 'dev', realmProvider));
    expect(error.message).toMatch(/profiles\.dev\.method must be a machine-identity login method/);
  });

  it('an unknown key nested in a common table is named with its full path, its value never shown', async () => {
    const config = await configFrom(`${DEV}[profiles.dev.service_account]\nclient_id = "sa"\nclient_secret = "hunter2"\n`);
    const error = thrownAuthError(() => resolveProfile(config, 'dev', realmProvider));
    expect(error.message).toBe(`${config.file}: profiles.dev.service_account.client_secret is not a known key for provider "realmish"`);
    expect(error.message).not.toContain('hunter2');
  });

  it('the value of a secret-looking key is not echoed in a type error', async () => {
    const config = await configFrom(`${DEV}api_token = 123456789\n`);
    const error = thrownAuthError(() => resolveProfile(config, 'dev', realmProvider));
    expect(error.message).toBe(`${config.file}: profiles.dev.api_token must be a string`);
  });

  it('a bad override is reported as coming from a flag or variable, not from the file', async () => {
    const config = await configFrom(DEV);
    const error = thrownAuthError(() => resolveProfile(config, 'dev', realmProvider, { timeout: Number.NaN }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/^timeout \(set by a flag or AUTHCTL_\* variable\) must be a number of seconds from 1 to 3600/);
    expect(error.message).not.toContain(config.file);
  });

  it('a provider schema that declares a common key sees it, and its default applies only when the profile leaves it out', async () => {
    const withClientDefault: Provider<{ url: string; client_id: string }> = {
      specificationVersion: 'v1',
      id: 'realmish',
      name: 'Provider with a client_id default',
      options: z.object({ url: z.string(), client_id: z.string().default('provider-default') }),
    };
    const bare = await configFrom('[profiles.dev]\nprovider = "realmish"\nurl = "https://kc"\n');
    expect(resolveProfile(bare, 'dev', withClientDefault).settings.client_id).toBe('provider-default');
    const set = await configFrom(DEV);
    expect(resolveProfile(set, 'dev', withClientDefault).settings.client_id).toBe('insights-app');
  });

  it('an unknown profile is PROFILE_NOT_FOUND', async () => {
    const config = await configFrom(DEV);
    expect(thrownAuthError(() => resolveProfile(config, 'nope', realmProvider)).code).toBe('PROFILE_NOT_FOUND');
  });
});

describe('resolveProfile: plain http only for loopback', () => {
  const endpoints = (line: string) => `[profiles.local]\nprovider = "endpoints"\n${line}\n`;

  it('an http:// issuer on a non-loopback host is CONFIG_INVALID naming the URL, profile and key', async () => {
    const config = await configFrom(endpoints('issuer = "http://idp.example.com/realms/r"'));
    const error = thrownAuthError(() => resolveProfile(config, 'local', endpointProvider));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(`${config.file}: profiles.local.issuer must use https://`);
    expect(error.message).toContain('"http://idp.example.com/realms/r"');
    expect(error.details).toMatchObject({ profile: 'local', key: 'profiles.local.issuer' });
    expect(error.hint).toContain('allow_http = true');
  });

  it('explicit endpoints are held to the same rule (token_url)', async () => {
    const config = await configFrom(endpoints('token_url = "http://kc.example.com/token"'));
    expect(thrownAuthError(() => resolveProfile(config, 'local', endpointProvider)).details.key).toBe('profiles.local.token_url');
  });

  it.each(['http://127.0.0.1:8080', 'http://127.9.9.9/x', 'http://localhost:8080', 'http://[::1]:8080', 'https://idp.example.com'])(
    'accepts %s',
    async (issuer) => {
      const config = await configFrom(endpoints(`issuer = "${issuer}"`));
      expect(resolveProfile(config, 'local', endpointProvider).settings.issuer).toBe(issuer);
    },
  );

  it('allow_http = true lets a non-loopback http:// issuer through', async () => {
    const config = await configFrom(endpoints('issuer = "http://idp.internal:8080"\nallow_http = true'));
    expect(resolveProfile(config, 'local', endpointProvider).settings).toMatchObject({
      issuer: 'http://idp.internal:8080',
      allow_http: true,
    });
  });
});

describe('[profiles.NAME.admin] belongs to the providers that administer, not to core', () => {
  it('a provider without admin settings refuses the table as an unknown key', async () => {
    const config = await configFrom(`${DEV}\n[profiles.dev.admin]\nusername = "admin"\n`);
    const error = thrownAuthError(() => resolveProfile(config, 'dev', realmProvider));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('profiles.dev.admin is not a known key for provider "realmish"');
  });

  it("a provider declaring it has it validated by its own schema", async () => {
    const admin: Provider<{ url: string; admin?: { token_file: string } }> = {
      ...realmProvider,
      options: z.object({ url: z.string(), admin: z.strictObject({ token_file: z.string() }).optional() }),
    };
    const config = await configFrom(`${DEV.replace('client_id = "insights-app"\n', '')}\n[profiles.dev.admin]\ntoken_file = "/run/admin-token"\n`);
    expect(resolveProfile(config, 'dev', admin).settings.admin).toEqual({ token_file: '/run/admin-token' });
  });
});
