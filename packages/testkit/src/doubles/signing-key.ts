import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/** An RS256 key that signs a double's tokens and publishes itself as a JWKS. */
export interface SigningKey {
  /** `now` (epoch seconds) stands for the clock of a double whose time is injected. */
  sign(claims: JWTPayload, lifetimeSeconds: number, now?: number): Promise<string>;
  jwks(): { keys: JWK[] };
  publicKey: CryptoKey;
}

export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    sign: (claims, lifetimeSeconds, now) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
        .setIssuedAt(now)
        .setExpirationTime(now === undefined ? `${lifetimeSeconds}s` : now + lifetimeSeconds)
        .sign(privateKey),
    jwks: () => ({ keys: [jwk] }),
    publicKey,
  };
}
