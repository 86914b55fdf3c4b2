import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** A throwaway CA and a loopback server certificate it signed, all PEM. */
export interface TestCA {
  /** The CA certificate: what a client must trust (`ca_file`, `NODE_EXTRA_CA_CERTS`). */
  ca: string;
  /** The server certificate, for `127.0.0.1`, `::1` and `localhost`. */
  cert: string;
  /** The server certificate's private key (PKCS #8). */
  key: string;
  /** A client certificate the CA signed (CN `authkit test client`), for servers that ask for one (mutual TLS). */
  clientCert: string;
  /** The client certificate's private key (PKCS #8). */
  clientKey: string;
}

const SERVER_EXTENSIONS = [
  'basicConstraints = critical, CA:FALSE',
  'keyUsage = critical, digitalSignature',
  'extendedKeyUsage = serverAuth',
  'subjectAltName = IP:127.0.0.1, IP:::1, DNS:localhost',
].join('\n');

const CLIENT_EXTENSIONS = ['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature', 'extendedKeyUsage = clientAuth'].join('\n');

/**
 * Makes a fresh CA, a loopback server certificate and a client certificate signed by it (P-256,
 * valid for a day) with the real openssl, so an HTTPS test server is trusted
 * exactly where a test says so. No system store is touched; the working
 * files are removed.
 */
export async function createTestCA(): Promise<TestCA> {
  const dir = await mkdtemp(join(tmpdir(), 'authkit-ca-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => promisify(execFile)('openssl', args);
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  try {
    await openssl('req', '-x509', ...newKey, '-days', '1', '-subj', '/CN=authkit test CA', '-keyout', at('ca.key'), '-out', at('ca.pem'),
      '-addext', 'basicConstraints = critical, CA:TRUE, pathlen:0', '-addext', 'keyUsage = critical, keyCertSign, cRLSign');
    await openssl('req', '-new', ...newKey, '-subj', '/CN=127.0.0.1', '-keyout', at('server.key'), '-out', at('server.csr'));
    await writeFile(at('server.ext'), SERVER_EXTENSIONS);
    await openssl('x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-set_serial', '2', '-days', '1',
      '-extfile', at('server.ext'), '-out', at('server.pem'));
    await openssl('req', '-new', ...newKey, '-subj', '/CN=authkit test client', '-keyout', at('client.key'), '-out', at('client.csr'));
    await writeFile(at('client.ext'), CLIENT_EXTENSIONS);
    await openssl('x509', '-req', '-in', at('client.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-set_serial', '3', '-days', '1',
      '-extfile', at('client.ext'), '-out', at('client.pem'));
    const names = ['ca.pem', 'server.pem', 'server.key', 'client.pem', 'client.key'];
    const [ca, cert, key, clientCert, clientKey] = await Promise.all(names.map((name) => readFile(at(name), 'utf8')));
    return { ca: ca!, cert: cert!, key: key!, clientCert: clientCert!, clientKey: clientKey! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
