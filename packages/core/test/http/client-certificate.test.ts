import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCA, type TestCA } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetch } from '../../src/http/create-fetch.js';
import { rejectedAuthError } from '../stores/helpers.js';

let dir: string;
let ca: TestCA;
let server: Server;
let url: string;
const files = { caFile: '', certFile: '', keyFile: '' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'authctl-core-mtls-'));
  ca = await createTestCA();
  files.caFile = join(dir, 'ca.pem');
  files.certFile = join(dir, 'client.pem');
  files.keyFile = join(dir, 'client.key');
  await Promise.all([writeFile(files.caFile, ca.ca), writeFile(files.certFile, ca.clientCert), writeFile(files.keyFile, ca.clientKey, { mode: 0o600 })]);
  // A server that requires a client certificate signed by the test CA, and names the subject it saw.
  server = createServer({ cert: ca.cert, key: ca.key, ca: ca.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
    res.end(peer.subject?.CN ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('createFetch: clientCertificate (mutual TLS)', () => {
  it('presents the client certificate to a server that requires one', async () => {
    const fetcher = createFetch({ caFile: files.caFile, clientCertificate: { certFile: files.certFile, keyFile: files.keyFile } });
    const response = await fetcher(url);
    expect(await response.text()).toBe('authkit test client');
  });

  it('without it the server refuses the handshake', async () => {
    await expect(createFetch({ caFile: files.caFile })(url)).rejects.toThrow();
  });

  it('a key file that holds no PEM key is CONFIG_INVALID naming the file', async () => {
    const error = await rejectedAuthError(
      (async () => createFetch({ caFile: files.caFile, clientCertificate: { certFile: files.certFile, keyFile: files.caFile } })(url))(),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(`The client certificate file ${files.caFile} holds no PEM private key`);
  });
});

describe('createFetch: insecureSkipVerify', () => {
  it("accepts a server whose CA is not trusted (Kapacitor's meta-insecure-skip-verify)", async () => {
    const fetcher = createFetch({ insecureSkipVerify: true, clientCertificate: { certFile: files.certFile, keyFile: files.keyFile } });
    expect((await fetcher(url)).status).toBe(200);
  });
});
