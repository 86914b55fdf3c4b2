import { describe, expect, it } from 'vitest';
import { readInfluxctlConfig } from '../src/import/influxctl-config.js';
import { readKxiConfig } from '../src/import/kxi-config.js';

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

describe('influxctl config.toml', () => {
  it('a [[profile]] without a name, or without an OAuth2 token_url, is reported with the reason', () => {
    const found = readInfluxctlConfig(
      '[[profile]]\nproduct = "clustered"\n[[profile]]\nname = "no-oauth"\n[profile.auth.oauth2]\nclient_id = "x"\n',
      '/tmp/influxctl.toml',
    );
    expect(found.profiles).toEqual([]);
    expect(found.unusable).toEqual([
      { source: '[[profile]] #1', reason: 'it has no name' },
      { source: 'no-oauth', reason: 'it has no [profile.auth.oauth2] token_url' },
    ]);
  });

  it('[profile.tls] is reported, not turned into ca_file: it is the cluster’s, not the identity provider’s', () => {
    const [profile] = readInfluxctlConfig(
      '[[profile]]\nname = "p"\n[profile.tls]\nca = "/etc/cluster-ca.pem"\n[profile.auth.oauth2]\ntoken_url = "https://idp.example.com/token"\n',
      '/tmp/influxctl.toml',
    ).profiles;
    expect(profile!.table).toEqual({ provider: 'oidc', token_url: 'https://idp.example.com/token', flow: 'device' });
    expect(profile!.skipped).toEqual([{ key: 'tls', reason: expect.stringContaining('set ca_file in the profile') }]);
  });
});
