import { describe, expect, test } from 'vitest';
import { hashSecret, verifySecret } from '../src/index.js';
import { parseScryptHash } from '../src/secrets/scrypt-hash.js';

describe('PHC scrypt hashes', () => {
  test('a hash is `$scrypt$ln=15,r=8,p=1$salt$hash`, verifies its secret and nothing else', async () => {
    const phc = await hashSecret('s3cret');
    expect(phc).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifySecret('s3cret', phc)).toBe(true);
    expect(await verifySecret('s3cret ', phc)).toBe(false);
    expect(await verifySecret('S3cret', phc)).toBe(false);
  });

  test('two hashes of one secret differ (random salt)', async () => {
    expect(await hashSecret('same')).not.toBe(await hashSecret('same'));
  });

  test('malformed hashes and memory-hungry parameters are refused, not run', async () => {
    const phc = await hashSecret('x', { ln: 10, r: 8, p: 1 });
    expect(parseScryptHash(phc)).toMatchObject({ ln: 10, r: 8, p: 1 });
    expect(parseScryptHash(phc.replace('ln=10', 'ln=30'))).toBeUndefined();
    expect(parseScryptHash(phc.replace('r=8', 'r=64'))).toBeUndefined();
    expect(parseScryptHash('$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA')).toBeUndefined();
    expect(await verifySecret('x', 'not a hash')).toBe(false);
  });
});
