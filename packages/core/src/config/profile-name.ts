/**
 * The one rule for profile names. A name becomes part of credential store
 * keys (`dev`, `dev#client_secret`, `dev#identity:alice`) and of file names
 * in the file store, so it may not hold the `#` that separates key parts,
 * and it must stay short and ASCII: URI-encoded, a 40-character non-ASCII
 * name is already past the 255 bytes most file systems allow. Zod-free: the
 * print-token hot path checks the name it selects.
 */
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const PROFILE_NAME_RULE = '1 to 64 characters: ASCII letters, digits, ".", "_" and "-", starting with a letter or digit';

export function isProfileName(name: string): boolean {
  return PROFILE_NAME.test(name);
}
