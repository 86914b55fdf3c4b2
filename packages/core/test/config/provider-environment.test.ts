import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resolveProfile } from '../../src/config/resolve-profile.js';
import type { AuthctlConfig } from '../../src/config/types.js';
import type { Provider } from '../../src/contracts/v1/provider.js';
import { thrownAuthError } from '../stores/helpers.js';

/** A provider shaped like provider-entra: a tenant and a client id that workload identity variables may supply. */
const tenantProvider: Provider<{ tenant: string }> = {
  specificationVersion: 'v1',
  id: 'tenanted',
  name: 'Tenant-style test provider',
  options: z.object({ tenant: z.string().regex(/^[a-z0-9-]+$/, { error: 'must be a tenant id' }) }),
  environment: { tenant: 'TEST_TENANT_ID', client_id: 'TEST_CLIENT_ID' },
};

function config(profile: Record<string, unknown>): AuthctlConfig {
  return {
    home: '/home/someone/.config/authctl',
    file: '/home/someone/.config/authctl/config.toml',
    exists: true,
    store: { backend: 'file', path: '/home/someone/.config/authctl/state' },
    profiles: { dev: { provider: 'tenanted', ...profile } },
  };
}

describe("a provider's settings from the environment core hands over", () => {
  it('a key the profile leaves out comes from the variable the provider names', () => {
    const profile = resolveProfile(config({}), 'dev', tenantProvider, {}, { TEST_TENANT_ID: 'contoso', TEST_CLIENT_ID: 'app' });
    expect(profile.settings).toMatchObject({ tenant: 'contoso', client_id: 'app' });
  });

  it("the profile's own value and a flag win over the variable; an empty variable is unset", () => {
    const env = { TEST_TENANT_ID: 'from-env', TEST_CLIENT_ID: '' };
    const fromProfile = resolveProfile(config({ tenant: 'from-profile' }), 'dev', tenantProvider, {}, env);
    const fromFlag = resolveProfile(config({ tenant: 'from-profile' }), 'dev', tenantProvider, { client_id: 'from-flag' }, env);
    expect(fromProfile.settings.tenant).toBe('from-profile');
    expect(fromProfile.settings.client_id).toBeUndefined();
    expect(fromFlag.settings.client_id).toBe('from-flag');
  });

  it('a bad value from a variable names the variable, not the config file', () => {
    const error = thrownAuthError(() => resolveProfile(config({}), 'dev', tenantProvider, {}, { TEST_TENANT_ID: 'Not A Tenant' }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe('tenant (from TEST_TENANT_ID) must be a tenant id (got "Not A Tenant")');
    expect(error.details.hint).toBe('fix TEST_TENANT_ID, or set tenant in [profiles.dev]');
  });
});
