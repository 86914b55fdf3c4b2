import { createHmac } from 'node:crypto';

/** Builds compact JWTs byte by byte, so a test can make any header, claims or signature the spec allows or forbids. */
export function jwt(header: unknown, claims: unknown, key: string | Buffer, hash = 'sha256'): string {
  const input = `${segment(header)}.${segment(claims)}`;
  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
}

export function segment(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}
