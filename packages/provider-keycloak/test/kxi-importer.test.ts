import { describe, expect, it } from 'vitest';
import keycloak, { readKxiConfig } from '../src/index.js';

describe('authctl profile import --from kxi, declared by the Keycloak provider', () => {
  it('the provider declares the kxi importer, reading ~/.insights/cli-config under the HOME it is given', () => {
    const importer = keycloak.importers?.find((candidate) => candidate.id === 'kxi');
    expect(importer?.specificationVersion).toBe('v1');
    expect(importer?.defaultFile({ HOME: '/home/ana' })).toBe('/home/ana/.insights/cli-config');
  });

  it('its profiles use the Keycloak provider under kdb Insights\' /auth base path', () => {
    const [profile] = keycloak.importers![0]!.read('[default]\nhostname = insights.example.com\nrealm = insights\n', '/tmp/cli-config').profiles;
    expect(profile!.table).toEqual({ provider: 'keycloak', url: 'https://insights.example.com', base_path: '/auth', realm: 'insights' });
  });
});

describe("kxi cli-config, read as Python's configparser writes it", () => {
  it('[DEFAULT] keys apply to every section, and a section overrides them', () => {
    const { profiles } = readKxiConfig('[DEFAULT]\nhostname = https://shared.example.com\nrealm = shared\n[dev]\n[prod]\nrealm = production\n');
    expect(profiles.map(({ source, table }) => [source, table.url, table.realm])).toEqual([
      ['dev', 'https://shared.example.com', 'shared'],
      ['prod', 'https://shared.example.com', 'production'],
    ]);
  });

  it('a section name with dots stays one profile name', () => {
    const { profiles } = readKxiConfig('[team.dev]\nhostname = https://insights.example.com\n');
    expect(profiles.map(({ source }) => source)).toEqual(['team.dev']);
  });

  it('a bare host name is reached over https, a trailing slash is dropped', () => {
    const { profiles } = readKxiConfig('[a]\nhostname = insights.example.com\n[b]\nhostname = https://b.example.com/\n');
    expect(profiles.map(({ table }) => table.url)).toEqual(['https://insights.example.com', 'https://b.example.com']);
  });

  it('with auth.serviceaccount.* set, the deprecated client.id / client.secret are reported and not used', () => {
    const [profile] = readKxiConfig(
      '[default]\nhostname = h.example.com\nauth.serviceaccount.id = new-sa\nauth.serviceaccount.secret = new-secret\nclient.id = old-sa\nclient.secret = old-secret\n',
    ).profiles;
    expect(profile!.table.service_account).toEqual({ client_id: 'new-sa' });
    expect(profile!.clientSecret).toBe('new-secret');
    expect(profile!.skipped.map(({ key }) => key)).toEqual(['client.id', 'client.secret']);
  });

  it('a secret without a service-account id is not kept', () => {
    const [profile] = readKxiConfig('[default]\nhostname = h.example.com\nauth.serviceaccount.secret = orphan\n').profiles;
    expect(profile!.clientSecret).toBeUndefined();
    expect(profile!.table.service_account).toBeUndefined();
    expect(profile!.skipped).toEqual([{ key: 'auth.serviceaccount.secret', reason: 'there is no auth.serviceaccount.id for it to belong to' }]);
  });
});
