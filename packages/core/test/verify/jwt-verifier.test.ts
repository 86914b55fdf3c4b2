import { createHmac, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../src/errors.js';
import { boundedFetch } from '../../src/http/bounded-fetch.js';
import { JwksCache, JWS_ALGORITHMS, JwtVerifier } from '../../src/verify/index.js';
import { signingKey, startJwksEndpoint, type JwksEndpoint, type SigningKey } from './jwks-endpoint.js';

const io = () => ({ fetch: boundedFetch(fetch, { timeoutMs: 5000 }), signal: AbortSignal.timeout(5000), timeoutMs: 5000 });
const NOW = Date.UTC(2026, 0, 1);
const seconds = NOW / 1000;

const keys = Object.fromEntries(JWS_ALGORITHMS.map((alg) => [alg, signingKey(alg)])) as Record<string, SigningKey>;
let endpoint: JwksEndpoint;
beforeAll(async () => {
  endpoint = await startJwksEndpoint(...Object.values(keys));
});
afterAll(() => endpoint.close());

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claims = { iss: 'https://idp.example/', sub: 'alice', aud: 'cluster', iat: seconds - 10, exp: seconds + 300 };

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(AuthError.is(error)).toBe(true);
  expect((error as AuthError).code).toBe('ACCESS_DENIED');
  return (error as AuthError).message;
}

describe('JwtVerifier: RFC 7515 signatures on node:crypto', () => {
  it.each(JWS_ALGORITHMS)('%s: a token signed by the set\'s key verifies', async (alg) => {
    const verifier = new JwtVerifier({ keys: new JwksCache({ url: endpoint.url }) });
    const { claims: verified, header } = await verifier.verify(await keys[alg]!.sign(claims), NOW, io());
    expect(verified).toEqual(claims);
    expect(header.alg).toBe(alg);
  });

  it('fixed keys: any one that verifies is enough', async () => {
    const verifier = new JwtVerifier({ keys: [keys.ES256!.publicKey, keys.RS256!.publicKey] });
    expect((await verifier.verify(await keys.RS256!.sign(claims), NOW, io())).claims.sub).toBe('alice');
  });

  it('RFC 7518 §3.6: alg "none" is refused', async () => {
    const verifier = new JwtVerifier({ keys: [keys.RS256!.publicKey] });
    expect(await refusal(verifier.verify(`${b64({ alg: 'none' })}.${b64(claims)}.`, NOW, io()))).toMatch(/not a compact JWS|alg/);
    expect(await refusal(verifier.verify(`${b64({ alg: 'none', kid: keys.RS256!.kid })}.${b64(claims)}.c2ln`, NOW, io()))).toContain('"none" is not accepted');
  });

  it('alg confusion: HS256 keyed with the RSA public key is refused', async () => {
    const pem = keys.RS256!.publicKey.export({ format: 'pem', type: 'spki' });
    const input = `${b64({ alg: 'HS256', kid: keys.RS256!.kid })}.${b64(claims)}`;
    const forged = `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
    const verifier = new JwtVerifier({ keys: new JwksCache({ url: endpoint.url }) });
    expect(await refusal(verifier.verify(forged, NOW, io()))).toContain('"HS256" is not accepted');
  });

  it('the header\'s alg must fit the key: an RS256 header under an EC key\'s kid is refused', async () => {
    const verifier = new JwtVerifier({ keys: new JwksCache({ url: endpoint.url }) });
    const token = await keys.RS256!.sign(claims, { kid: keys.ES256!.kid });
    expect(await refusal(verifier.verify(token, NOW, io()))).toContain('is not a key for RS256');
  });

  it('an algorithm outside the configured list is refused', async () => {
    const verifier = new JwtVerifier({ keys: new JwksCache({ url: endpoint.url }), algorithms: ['RS256'] });
    expect(await refusal(verifier.verify(await keys.ES256!.sign(claims), NOW, io()))).toContain('"ES256" is not accepted');
  });

  it('RFC 7515 §4.1.11: a "crit" header is refused', async () => {
    const verifier = new JwtVerifier({ keys: [keys.RS256!.publicKey] });
    // jose refuses to sign an extension it does not know: signed by hand.
    const input = `${b64({ alg: 'RS256', crit: ['urn:example:ext'], 'urn:example:ext': true })}.${b64(claims)}`;
    const token = `${input}.${sign('sha256', Buffer.from(input), keys.RS256!.privateKey).toString('base64url')}`;
    expect(await refusal(verifier.verify(token, NOW, io()))).toContain('crit');
  });

  it('RFC 7515 §2: padded or non-base64url parts are refused', async () => {
    const verifier = new JwtVerifier({ keys: [keys.RS256!.publicKey] });
    const [header, payload, signature] = (await keys.RS256!.sign(claims)).split('.');
    expect(await refusal(verifier.verify(`${header}.${payload}.${signature}=`, NOW, io()))).toContain('base64url');
    expect(await refusal(verifier.verify(`${header}.${payload!.replace(/^./, '+')}.${signature}`, NOW, io()))).toContain('base64url');
    expect(await refusal(verifier.verify(`${header}.${payload}`, NOW, io()))).toContain('compact JWS');
  });

  it('a signature that does not verify is refused', async () => {
    const verifier = new JwtVerifier({ keys: [keys.ES256!.publicKey] });
    const [header, payload, signature] = (await keys.ES256!.sign(claims)).split('.');
    const tampered = `${header}.${b64({ ...claims, sub: 'mallory' })}.${signature}`;
    expect(payload).not.toBe(b64({ ...claims, sub: 'mallory' }));
    expect(await refusal(verifier.verify(tampered, NOW, io()))).toContain('signature does not verify');
  });
});

describe('JwtVerifier: RFC 7519 §4.1 claims at the injected clock', () => {
  const verifier = (options: object = {}) => new JwtVerifier({ keys: [keys.RS256!.publicKey], clockToleranceSeconds: 30, ...options });

  it('exp: valid within the tolerance, refused beyond it', async () => {
    const token = await keys.RS256!.sign(claims);
    expect((await verifier().verify(token, (claims.exp + 29) * 1000, io())).claims.sub).toBe('alice');
    expect(await refusal(verifier().verify(token, (claims.exp + 30) * 1000, io()))).toContain('expired');
  });

  it('exp is required by default', async () => {
    const { exp: _exp, ...noExp } = claims;
    expect(await refusal(verifier().verify(await keys.RS256!.sign(noExp), NOW, io()))).toContain('"exp" claim is missing');
  });

  it('nbf and iat in the future beyond the tolerance are refused', async () => {
    expect(await refusal(verifier().verify(await keys.RS256!.sign({ ...claims, nbf: seconds + 31 }), NOW, io()))).toContain('nbf');
    expect(await refusal(verifier().verify(await keys.RS256!.sign({ ...claims, iat: seconds + 31 }), NOW, io()))).toContain('iat');
    expect((await verifier().verify(await keys.RS256!.sign({ ...claims, nbf: seconds + 29 }), NOW, io())).cached).toBe(false);
  });

  it('iss and aud, when configured, must match (aud a string or an array)', async () => {
    const token = await keys.RS256!.sign({ ...claims, aud: ['other', 'cluster'] });
    expect((await verifier({ issuer: 'https://idp.example/', audience: 'cluster' }).verify(token, NOW, io())).claims.sub).toBe('alice');
    expect(await refusal(verifier({ issuer: 'https://idp.example' }).verify(token, NOW, io()))).toContain('iss');
    expect(await refusal(verifier({ audience: ['admin'] }).verify(token, NOW, io()))).toContain('aud');
  });
});

describe('JwtVerifier: the verification cache', () => {
  it('a repeated token is answered from the cache, without a signature check or a key lookup', async () => {
    const cache = new JwksCache({ url: endpoint.url });
    const verifier = new JwtVerifier({ keys: cache, cacheSize: 100 });
    const token = await keys.PS256!.sign(claims);
    expect((await verifier.verify(token, NOW, io())).cached).toBe(false);
    const fetches = endpoint.fetches;
    const again = await verifier.verify(token, NOW + 1000, io());
    expect(again).toMatchObject({ cached: true, claims });
    expect(verifier.stats).toMatchObject({ verifications: 2, cacheHits: 1 });
    expect(endpoint.fetches).toBe(fetches);
  });

  it('a cached token is re-checked against the clock: refused once expired', async () => {
    const verifier = new JwtVerifier({ keys: [keys.RS256!.publicKey], cacheSize: 100, clockToleranceSeconds: 0 });
    const token = await keys.RS256!.sign(claims);
    await verifier.verify(token, NOW, io());
    expect(await refusal(verifier.verify(token, claims.exp * 1000, io()))).toContain('expired');
  });

  it('a refused token is not remembered, and the cache holds at most cacheSize tokens', async () => {
    const verifier = new JwtVerifier({ keys: [keys.RS256!.publicKey], cacheSize: 2 });
    const tokens = await Promise.all(['a', 'b', 'c'].map((sub) => keys.RS256!.sign({ ...claims, sub })));
    for (const token of tokens) await verifier.verify(token, NOW, io());
    expect((await verifier.verify(tokens[0]!, NOW, io())).cached).toBe(false);
    expect((await verifier.verify(tokens[2]!, NOW, io())).cached).toBe(true);
    const forged = await signingKey('RS256', keys.RS256!.kid).sign(claims);
    await refusal(verifier.verify(forged, NOW, io()));
    await refusal(verifier.verify(forged, NOW, io()));
    expect(verifier.stats.refusals).toBe(2);
  });
});
