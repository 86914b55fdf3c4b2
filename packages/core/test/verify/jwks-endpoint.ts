import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';

export type Answer = 'keys' | '404' | '503' | 'refuse-connection' | 'empty-set' | 'garbage' | 'huge' | 'hang';

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  sign(claims: JWTPayload, header?: Record<string, unknown>): Promise<string>;
}

/** A key of `alg`'s type (RSA 2048, the alg's curve, Ed25519) signing with jose. */
export function signingKey(alg = 'RS256', kid: string = randomUUID()): SigningKey {
  const { privateKey, publicKey } = alg.startsWith('ES')
    ? generateKeyPairSync('ec', { namedCurve: { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg]! })
    : alg === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    alg,
    privateKey,
    publicKey,
    sign: (claims, header = {}) => new SignJWT(claims).setProtectedHeader({ alg, kid, ...header }).sign(privateKey),
  };
}

/** A JWKS endpoint under the test's control: what it publishes, how it fails, and how often it was asked. */
export interface JwksEndpoint {
  url: string;
  /** `${url}/.well-known/openid-configuration`, naming `url` as its `jwks_uri`. */
  discoveryUrl: string;
  fetches: number;
  answer: Answer;
  /** Sent with the keys, when set. */
  cacheControl: string | undefined;
  publish(...keys: SigningKey[]): void;
  close(): Promise<void>;
}

export async function startJwksEndpoint(...keys: SigningKey[]): Promise<JwksEndpoint> {
  let published = keys;
  const hanging = new Set<ServerResponse>();
  const endpoint: JwksEndpoint = {
    url: '',
    discoveryUrl: '',
    fetches: 0,
    answer: 'keys',
    cacheControl: undefined,
    publish: (...next) => {
      published = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((request, response) => {
    if (request.url === '/.well-known/openid-configuration') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ issuer: endpoint.url, jwks_uri: `${endpoint.url}/keys` }));
      return;
    }
    endpoint.fetches += 1;
    switch (endpoint.answer) {
      case 'keys':
        response.writeHead(200, { 'content-type': 'application/json', ...(endpoint.cacheControl === undefined ? {} : { 'cache-control': endpoint.cacheControl }) });
        response.end(JSON.stringify({ keys: published.map((key) => ({ ...key.publicKey.export({ format: 'jwk' }), kid: key.kid, alg: key.alg, use: 'sig' })) }));
        return;
      case '404':
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end('{"error":{"code":404,"message":"Not found"}}');
        return;
      case '503':
        response.writeHead(503, { 'content-type': 'text/plain' });
        response.end('Service Unavailable');
        return;
      case 'refuse-connection':
        request.socket.destroy();
        return;
      case 'empty-set':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"keys":[]}');
        return;
      case 'garbage':
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html>login page</html>');
        return;
      case 'huge':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(`{"keys":[],"padding":"${'x'.repeat(1024 * 1024)}"}`);
        return;
      case 'hang':
        hanging.add(response);
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  endpoint.discoveryUrl = `${endpoint.url}/.well-known/openid-configuration`;
  return endpoint;
}
