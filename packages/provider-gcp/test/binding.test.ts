import { describe, expect, it } from 'vitest';
import { gcp, gcpBinding } from '../src/index.js';
import { verifyRequest } from './fixtures.js';

const ACCOUNT = 'vm-runner@prod-project.iam.gserviceaccount.com';
const issues = (value: unknown) => {
  const result = gcpBinding.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('@auth/provider-gcp: the gcp-auth binding', () => {
  it('is the schema auth-server validates a gcp-auth configuration with', () => {
    expect(gcp.verify!.bindingSchema('gcp-auth')).toBe(gcpBinding);
    expect(issues({ type: 'gce', allowed_projects: ['prod-project'], allowed_zones: ['europe-west1-b'] })).toEqual([]);
    expect(issues({ type: 'iam', allowed_service_accounts: [ACCOUNT], allowed_projects: ['prod-project'] })).toEqual([]);
  });

  it('a gce binding naming neither service accounts nor projects is refused: any VM could get a token for the identity', () => {
    expect(issues({ type: 'gce', allowed_zones: ['europe-west1-b'] })).toEqual([expect.stringContaining('any VM in Google Cloud')]);
  });

  it('an iam binding must name its service accounts: any account can sign a JWT for any audience', () => {
    expect(issues({ type: 'iam' })).toEqual([expect.stringMatching(/^allowed_service_accounts: /)]);
    expect(issues({ type: 'iam', allowed_service_accounts: [] })).toEqual([expect.stringContaining('names no service account email')]);
  });

  it('an unknown key (a typo that would silently widen the binding) or an unknown type is refused', () => {
    expect(issues({ type: 'gce', allowed_service_accounts: [ACCOUNT], allowed_zone: ['us-east1-b'] })).toEqual([expect.stringContaining('allowed_zone')]);
    expect(issues({ type: 'iam', allowed_service_accounts: [ACCOUNT], allowed_zones: ['us-east1-b'] })).toEqual([expect.stringContaining('allowed_zones')]);
    expect(issues({ type: 'gke', allowed_service_accounts: [ACCOUNT] })).toEqual([expect.stringContaining('"gce" or "iam"')]);
  });

  it('verify refuses a binding that does not parse as CONFIG_INVALID, before reading the body', async () => {
    const verifying = gcp.verify!.verify(verifyRequest({ identityId: 'id', jwt: 'x' }, { type: 'gce' }));

    await expect(verifying).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('allowed_service_accounts') });
  });
});
