import { constants, verify, type KeyObject } from 'node:crypto';

/**
 * Compact JWS verification (RFC 7515 §7.1, §5.2) with a public `KeyObject`,
 * straight on node:crypto: jose's `jwtVerify` goes through WebCrypto, whose
 * asynchronous round trip costs several times the signature check itself.
 *
 * Kept to what a bearer token needs, and strict: the algorithm comes from an
 * allow-list of asymmetric ones (RFC 7518 §3.1, RFC 8037) and must fit the
 * key's type and curve, so `none` and HS* with a public key as the secret
 * never verify; a `crit` header is refused (RFC 7515 §4.1.11: no extension is
 * understood here); every part must be unpadded base64url (RFC 7515 §2).
 */

export const JWS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number];

export interface JwsHeader {
  alg: JwsAlgorithm;
  kid?: string;
  typ?: string;
  [name: string]: unknown;
}

/** A token that is not a well-formed JWS or does not verify; `reason` is for the server log. */
export class JwsRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'JwsRefused';
  }
}

export interface DecodedJws {
  header: JwsHeader;
  payload: Record<string, unknown>;
  signingInput: Buffer;
  signature: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

interface AlgorithmSpec {
  hash: string | null;
  keyType: string;
  curve?: string;
  padding?: number;
  /** ECDSA r || s (RFC 7518 §3.4), bytes. */
  signatureLength?: number;
}

const SPECS: Record<JwsAlgorithm, AlgorithmSpec> = {
  RS256: { hash: 'sha256', keyType: 'rsa', padding: constants.RSA_PKCS1_PADDING },
  RS384: { hash: 'sha384', keyType: 'rsa', padding: constants.RSA_PKCS1_PADDING },
  RS512: { hash: 'sha512', keyType: 'rsa', padding: constants.RSA_PKCS1_PADDING },
  PS256: { hash: 'sha256', keyType: 'rsa', padding: constants.RSA_PKCS1_PSS_PADDING },
  PS384: { hash: 'sha384', keyType: 'rsa', padding: constants.RSA_PKCS1_PSS_PADDING },
  PS512: { hash: 'sha512', keyType: 'rsa', padding: constants.RSA_PKCS1_PSS_PADDING },
  ES256: { hash: 'sha256', keyType: 'ec', curve: 'prime256v1', signatureLength: 64 },
  ES384: { hash: 'sha384', keyType: 'ec', curve: 'secp384r1', signatureLength: 96 },
  ES512: { hash: 'sha512', keyType: 'ec', curve: 'secp521r1', signatureLength: 132 },
  EdDSA: { hash: null, keyType: 'ed25519' },
};

/** RFC 7518 §3.3 and §3.5: RSA keys of fewer bits are refused. */
const MIN_RSA_BITS = 2048;

function part(text: string, what: string): Buffer {
  if (!BASE64URL.test(text) || text.length % 4 === 1) throw new JwsRefused(`the ${what} is not base64url`);
  return Buffer.from(text, 'base64url');
}

function json(bytes: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new JwsRefused(`the ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JwsRefused(`the ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** Splits and decodes a compact JWS, checking its header against `algorithms`; the signature is not checked yet. */
export function decodeJws(token: string, algorithms: readonly JwsAlgorithm[]): DecodedJws {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first <= 0 || second <= first + 1 || token.indexOf('.', second + 1) !== -1 || second === token.length - 1) {
    throw new JwsRefused('not a compact JWS (header.payload.signature)');
  }
  const header = json(part(token.slice(0, first), 'header'), 'header');
  if (header.crit !== undefined) throw new JwsRefused('the header has "crit": no extension is understood');
  if (typeof header.alg !== 'string' || !(algorithms as readonly string[]).includes(header.alg)) {
    throw new JwsRefused(`alg ${JSON.stringify(header.alg)} is not accepted (accepted: ${algorithms.join(', ')})`);
  }
  if (header.kid !== undefined && typeof header.kid !== 'string') throw new JwsRefused('the header\'s "kid" is not a string');
  const payload = json(part(token.slice(first + 1, second), 'payload'), 'payload');
  return {
    header: header as JwsHeader,
    payload,
    signingInput: Buffer.from(token.slice(0, second), 'ascii'),
    signature: part(token.slice(second + 1), 'signature'),
  };
}

interface KeyShape {
  type: string | undefined;
  curve: string | undefined;
  bits: number;
}

/** `asymmetricKeyDetails` builds a new object on every read: read once per key. */
const shapes = new WeakMap<KeyObject, KeyShape>();

function shapeOf(key: KeyObject): KeyShape {
  let shape = shapes.get(key);
  if (shape === undefined) {
    const details = key.asymmetricKeyDetails;
    shape = { type: key.type === 'public' ? key.asymmetricKeyType : undefined, curve: details?.namedCurve, bits: details?.modulusLength ?? 0 };
    shapes.set(key, shape);
  }
  return shape;
}

/** Whether `key` can verify `alg` at all (a public key of its type, curve, size): a mismatch is a refusal, not a failed signature. */
export function keyFits(alg: JwsAlgorithm, key: KeyObject): boolean {
  const spec = SPECS[alg];
  const shape = shapeOf(key);
  if (shape.type !== spec.keyType) return false;
  if (spec.curve !== undefined) return shape.curve === spec.curve;
  return spec.keyType !== 'rsa' || shape.bits >= MIN_RSA_BITS;
}

/** RFC 7515 §5.2 step 8: the signature over `header.payload` with `key`. */
export function verifySignature(jws: DecodedJws, key: KeyObject): boolean {
  const spec = SPECS[jws.header.alg];
  if (!keyFits(jws.header.alg, key)) return false;
  if (spec.signatureLength !== undefined && jws.signature.length !== spec.signatureLength) return false;
  return verify(
    spec.hash,
    jws.signingInput,
    spec.keyType === 'rsa'
      ? { key, padding: spec.padding!, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
      : spec.keyType === 'ec'
        ? { key, dsaEncoding: 'ieee-p1363' }
        : key,
    jws.signature,
  );
}
