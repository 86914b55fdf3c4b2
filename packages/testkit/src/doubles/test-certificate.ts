import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface TestCertificate {
  certificateFile: string;
  privateKeyFile: string;
  certificate: string;
}

/** A self-signed RSA certificate and its PKCS#8 key, made by the real openssl, in `dir`. */
export async function createTestCertificate(dir: string, name = 'client'): Promise<TestCertificate> {
  const certificateFile = join(dir, `${name}.crt`);
  const privateKeyFile = join(dir, `${name}.key`);
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${name}`,
    '-keyout', privateKeyFile, '-out', certificateFile,
  ]);
  return { certificateFile, privateKeyFile, certificate: await readFile(certificateFile, 'utf8') };
}
