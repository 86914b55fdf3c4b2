import { stringify } from 'smol-toml';

/**
 * config.toml text for profiles against the test IdP. The `oidc` provider
 * finds the endpoints by discovery from `issuer`.
 */
export function configToml(profiles: Record<string, Record<string, unknown>>, defaultProfile?: string): string {
  return stringify({ ...(defaultProfile ? { default_profile: defaultProfile } : {}), profiles });
}

/** A profile for the test IdP's public client, with its confidential client as the service account. */
export function idpProfile(issuer: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { provider: 'oidc', issuer, client_id: 'authctl', service_account: { client_id: 'svc' }, ...extra };
}
