import { describe, expect, it } from 'vitest';
import oidc, { createOidc, readInfluxctlConfig } from '../src/index.js';

describe('authctl profile import --from influxctl, declared by the OpenID Connect provider', () => {
  it('the provider declares the influxctl importer, reading config.toml in the XDG config folder it is given', () => {
    const importer = oidc.importers?.find((candidate) => candidate.id === 'influxctl');
    expect(importer?.specificationVersion).toBe('v1');
    expect(importer?.defaultFile({ HOME: '/home/ana', XDG_CONFIG_HOME: '/xdg' })).toBe('/xdg/influxctl/config.toml');
  });

  it('a provider created under its own id imports profiles that use that id', () => {
    const [profile] = createOidc({ id: 'corp-idp' }).importers![0]!.read(
      '[[profile]]\nname = "p"\n[profile.auth.oauth2]\ntoken_url = "https://idp.example.com/token"\n',
      '/tmp/influxctl.toml',
    ).profiles;
    expect(profile!.table.provider).toBe('corp-idp');
  });
});

describe('influxctl config.toml', () => {
  it('a [[profile]] without a name, or without an OAuth2 token_url, is reported with the reason', () => {
    const found = readInfluxctlConfig(
      '[[profile]]\nproduct = "clustered"\n[[profile]]\nname = "no-oauth"\n[profile.auth.oauth2]\nclient_id = "x"\n',
      '/tmp/influxctl.toml',
      'oidc',
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
      'oidc',
    ).profiles;
    expect(profile!.table).toEqual({ provider: 'oidc', token_url: 'https://idp.example.com/token', flow: 'device' });
    expect(profile!.skipped).toEqual([{ key: 'tls', reason: expect.stringContaining('set ca_file in the profile') }]);
  });
});
