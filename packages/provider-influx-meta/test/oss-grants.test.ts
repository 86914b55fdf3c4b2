import { AuthError } from '@auth/core';
import { describe, expect, it } from 'vitest';
import { META_PERMISSIONS, influxMetaOptions, ossPrivilege, type GrantRequest } from '../src/index.js';

const request = (permissions: string[], database = 'metrics'): GrantRequest => ({ permissions, database, admin: false });

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (AuthError.is(error) && error.code === 'USAGE') return error.message;
    throw error;
  }
  throw new Error('expected a USAGE error');
}

describe('meta permission names to OSS 1.x grants', () => {
  it('ReadData → READ, WriteData → WRITE, both → ALL, on the database given', () => {
    expect(ossPrivilege(request(['ReadData']))).toBe('READ');
    expect(ossPrivilege(request(['WriteData']))).toBe('WRITE');
    expect(ossPrivilege(request(['WriteData', 'ReadData']))).toBe('ALL');
  });

  it('OSS has no cluster-wide READ/WRITE and no other permissions: USAGE naming them', () => {
    expect(usage(() => ossPrivilege(request(['ReadData'], '')))).toBe('InfluxDB OSS 1.x grants ReadData and WriteData per database only');
    expect(usage(() => ossPrivilege(request(['ReadData', 'KapacitorAPI'])))).toContain('has no permission KapacitorAPI');
    expect(usage(() => ossPrivilege(request([])))).toContain('ReadData and/or WriteData');
  });
});

describe('profile options', () => {
  it('default to Enterprise with Basic auth and verified TLS', () => {
    expect(influxMetaOptions.parse({ url: 'https://meta-0.example:8091' })).toEqual({
      url: 'https://meta-0.example:8091',
      mode: 'enterprise',
      auth: 'basic',
      insecure_skip_verify: false,
    });
  });

  it('the 19 permission names of codes 0-18, ManageContinuousQuery spelled as the code spells it', () => {
    expect(META_PERMISSIONS).toHaveLength(19);
    expect(META_PERMISSIONS[12]).toBe('ManageContinuousQuery');
    expect(META_PERMISSIONS[18]).toBe('KapacitorConfigAPI');
  });
});
