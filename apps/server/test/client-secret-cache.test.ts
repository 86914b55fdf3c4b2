import { describe, expect, test } from 'vitest';
import { createClientSecretVerifier, scryptHasher, type SecretHasher } from '../src/issuer/hashed-client-secrets.js';
import { hashSecret } from '../src/secrets/scrypt-hash.js';

const SECRET = 'demo-service-secret-0123456789abcdef';

/** The real hasher, with every call counted. */
function countingHasher() {
  const calls = { verify: 0, derive: 0 };
  const hasher: SecretHasher = {
    verify: (secret, phc) => {
      calls.verify++;
      return scryptHasher.verify(secret, phc);
    },
    derive: (secret, salt) => {
      calls.derive++;
      return scryptHasher.derive(secret, salt);
    },
  };
  return { hasher, calls };
}

describe('client secret cache', () => {
  test('after the right secret verified once, every wrong guess is compared with the cached digest (one keyed digest each) and none is accepted', async () => {
    const phc = await hashSecret(SECRET, { ln: 10, r: 8, p: 1 });
    const { hasher, calls } = countingHasher();
    const verify = createClientSecretVerifier(hasher);
    expect(await verify(SECRET, phc)).toBe(true);
    const before = { ...calls };

    const guesses = ['', 'x', SECRET.slice(0, -1), `${SECRET}x`, SECRET.toUpperCase(), 'guess-5', 'guess-6', 'guess-7'];
    for (const guess of guesses) expect(await verify(guess, phc)).toBe(false);
    expect(calls.derive - before.derive).toBe(guesses.length);
    expect(calls.verify).toBe(before.verify);
  });

  test('the right secret is accepted from the cache with one keyed digest and no check of the configured hash', async () => {
    const phc = await hashSecret(SECRET, { ln: 10, r: 8, p: 1 });
    const { hasher, calls } = countingHasher();
    const verify = createClientSecretVerifier(hasher);
    await verify(SECRET, phc);
    const before = { ...calls };
    expect(await verify(SECRET, phc)).toBe(true);
    expect(calls).toEqual({ verify: before.verify, derive: before.derive + 1 });
  });

  test('a wrong secret that arrives first is checked against the configured hash and never cached', async () => {
    const phc = await hashSecret(SECRET, { ln: 10, r: 8, p: 1 });
    const { hasher, calls } = countingHasher();
    const verify = createClientSecretVerifier(hasher);
    expect(await verify('wrong', phc)).toBe(false);
    expect(await verify('wrong', phc)).toBe(false);
    expect(calls).toEqual({ verify: 2, derive: 0 });
    expect(await verify(SECRET, phc)).toBe(true);
  });

  test('each client hash has its own cache entry: one client\'s secret does not open another', async () => {
    const phcA = await hashSecret(SECRET, { ln: 10, r: 8, p: 1 });
    const phcB = await hashSecret('another-client-secret', { ln: 10, r: 8, p: 1 });
    const verify = createClientSecretVerifier();
    expect(await verify(SECRET, phcA)).toBe(true);
    expect(await verify(SECRET, phcB)).toBe(false);
    expect(await verify('another-client-secret', phcB)).toBe(true);
    expect(await verify('another-client-secret', phcA)).toBe(false);
  });
});
