import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AuthError } from '@auth/core/provider';
import { importPKCS8, type CryptoKey } from 'jose';
import * as oauth from 'oauth4webapi';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface CertificateAssertion {
  certificateFile: string;
  privateKeyFile: string;
  algorithm: 'PS256' | 'RS256';
  /** Entra wants the token endpoint as `aud` (oauth4webapi would put the issuer). */
  tokenEndpoint: string;
  /** The profile key prefix for errors, e.g. `profiles.dev`. */
  keyPrefix: string;
}

/**
 * A client assertion (https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials) signed with the app's
 * certificate key; PS256 names the certificate by `x5t#S256`, RS256 by the
 * SHA-1 `x5t`. The key is read from its file at each login, never from argv.
 */
export async function certificateAssertion(options: CertificateAssertion): Promise<oauth.ClientAuth> {
  const certificate = await readPem(options.certificateFile, `${options.keyPrefix}.certificate_file`);
  const privateKey = await readPem(options.privateKeyFile, `${options.keyPrefix}.private_key_file`);
  let der: Buffer;
  let key: CryptoKey;
  try {
    der = new X509Certificate(certificate).raw;
    key = await importPKCS8(privateKey, options.algorithm);
  } catch (cause) {
    throw new AuthError('CONFIG_INVALID', `${options.certificateFile} or ${options.privateKeyFile} is not a PEM certificate and PKCS#8 RSA private key`, {
      key: `${options.keyPrefix}.certificate_file`,
      hint: 'convert the key with `openssl pkcs8 -topk8 -nocrypt -in key.pem`; the certificate must be PEM (BEGIN CERTIFICATE)',
      cause,
    });
  }
  const thumbprint =
    options.algorithm === 'PS256'
      ? { 'x5t#S256': createHash('sha256').update(der).digest('base64url') }
      : { x5t: createHash('sha1').update(der).digest('base64url') };
  return oauth.PrivateKeyJwt(key, {
    [oauth.modifyAssertion](header, payload) {
      Object.assign(header, { typ: 'JWT', ...thumbprint });
      payload.aud = options.tokenEndpoint;
    },
  });
}

/**
 * Workload identity federation (https://azure.github.io/azure-workload-identity/docs/topics/mutating-admission-webhook.html). The projected token is the client
 * assertion; it is read again for every request because the kubelet rotates it.
 */
export function federatedAssertion(file: string, key: string): oauth.ClientAuth {
  return async (_server, client, body) => {
    const token = (await readPem(file, key)).trim();
    body.set('client_id', client.client_id);
    body.set('client_assertion_type', JWT_BEARER);
    body.set('client_assertion', token);
  };
}

async function readPem(file: string, key: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new AuthError('CONFIG_INVALID', `Cannot read ${file} (${key}): ${(cause as NodeJS.ErrnoException).code ?? 'unreadable'}`, {
      key,
      hint: `check that ${file} exists and is readable by this user`,
      cause,
    });
  }
}
