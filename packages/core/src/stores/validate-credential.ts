import { AuthError } from '../errors.js';
import { CredentialSchema, type Credential } from '../token-set.js';
import { corruptCredential } from './credential-file.js';

/** A value about to be stored; a bad one is a bug in the caller, never written. */
export function credentialToStore(key: string, value: unknown): Credential {
  const parsed = CredentialSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new AuthError('INTERNAL', `refusing to store an invalid credential under "${key}" (${fieldsOf(parsed.error.issues)})`);
}

/** A value read back from a store file; a bad one is STORE_CORRUPT. */
export function storedCredential(raw: unknown, file: string, key: string): Credential {
  const parsed = CredentialSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw corruptCredential(file, key, `is not a valid credential (bad ${fieldsOf(parsed.error.issues)})`);
}

// Field names only: issue messages could quote values, and values are secrets.
function fieldsOf(issues: ReadonlyArray<{ path: PropertyKey[] }>): string {
  return [...new Set(issues.map((issue) => issue.path.map(String).join('.') || 'kind'))].join(', ');
}
