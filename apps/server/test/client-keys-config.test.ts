import { describe, expect, test } from 'vitest';
import { parseServerConfig } from '../src/index.js';

const refused = (clients: unknown[]) => {
  try {
    parseServerConfig({ data_dir: 'data', clients }, '/etc/auth-server.toml');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the config to be refused');
};

const publicKey = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };

describe('private_key_jwt and post-logout settings', () => {
  test('private_key_jwt without jwks or certificate names the key', () => {
    expect(refused([{ client_id: 'svc', token_endpoint_auth_method: 'private_key_jwt', grants: ['client_credentials'] }])).toContain(
      'clients[0].token_endpoint_auth_method: private_key_jwt needs the client\'s public keys (set jwks or certificate)',
    );
  });

  test('a private key in jwks is refused, so the config file never holds one', () => {
    const message = refused([
      { client_id: 'svc', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ ...publicKey, d: 'secret-part' }] }, grants: ['client_credentials'] },
    ]);
    expect(message).toContain('clients[0].jwks.keys[0]: must be a public key');
    expect(message).not.toContain('secret-part');
  });

  test('client_secret_jwt is not a configurable method: secrets are stored hashed', () => {
    expect(refused([{ client_id: 'svc', token_endpoint_auth_method: 'client_secret_jwt', grants: ['client_credentials'] }])).toContain(
      'clients[0].token_endpoint_auth_method',
    );
  });

  test('a private_key_jwt client with jwks is a confidential client that may use client credentials', () => {
    const config = parseServerConfig(
      {
        data_dir: 'data',
        clients: [{ client_id: 'svc', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [publicKey] }, grants: ['client_credentials'] }],
      },
      '/etc/auth-server.toml',
    );
    expect(config.clients[0]!.jwks?.keys).toHaveLength(1);
  });

  test('a certificate that does not parse names the key', () => {
    expect(
      refused([{ client_id: 'svc', token_endpoint_auth_method: 'private_key_jwt', certificate: '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----', grants: ['client_credentials'] }]),
    ).toContain('clients[0].certificate: must be a PEM X.509 certificate');
  });

  test('a post-logout redirect URI that is not a URL names the key', () => {
    expect(refused([{ client_id: 'cli', grants: ['device_code'], post_logout_redirect_uris: ['not a url'] }])).toContain(
      'clients[0].post_logout_redirect_uris[0]: must be a URL',
    );
  });
});
