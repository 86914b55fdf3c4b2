import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/errors.js';
import { createFetch } from '../../src/http/create-fetch.js';
import { trustedCertificates } from '../../src/http/trusted-certificates.js';
import { builtDist, rejectedAuthError } from '../stores/helpers.js';
import { startPrivateCaIdP, type PrivateCaIdP } from './support.js';

let dir: string;
let first: PrivateCaIdP;
let second: PrivateCaIdP;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'authctl-core-ca-'));
  [first, second] = await Promise.all([startPrivateCaIdP(dir, 'first'), startPrivateCaIdP(dir, 'second')]);
});
afterAll(async () => {
  await Promise.all([first?.idp.close(), second?.idp.close()]);
  await rm(dir, { recursive: true, force: true });
});

const discovery = (idp: PrivateCaIdP) => `${idp.idp.issuer}/.well-known/openid-configuration`;

async function issuerAt(fetcher: typeof fetch, url: string): Promise<string> {
  const response = await fetcher(url);
  expect(response.status).toBe(200);
  return ((await response.json()) as { issuer: string }).issuer;
}

describe('createFetch: ca_file', () => {
  it('trusts an HTTPS server whose certificate the ca_file CA signed', async () => {
    expect(await issuerAt(createFetch({ caFile: first.caFile }), discovery(first))).toBe(first.idp.issuer);
  });

  it('without it the certificate is not trusted: NETWORK naming the URL, with a hint to set ca_file', async () => {
    const error = await rejectedAuthError(createFetch({ profile: 'dev' })(discovery(first)));
    expect(error.code).toBe('NETWORK');
    expect(EXIT_CODES[error.code]).toBe(5);
    expect(error.message).toBe(`Cannot reach ${discovery(first)}: its TLS certificate is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`);
    expect(error.details.url).toBe(discovery(first));
    expect(error.hint).toContain('set ca_file = "/path/to/ca.pem" in [profiles.dev] or NODE_EXTRA_CA_CERTS');
  });

  it("trusts only the CA it names: another private CA's server is still refused", async () => {
    const error = await rejectedAuthError(createFetch({ caFile: first.caFile })(discovery(second)));
    expect(error.code).toBe('NETWORK');
  });

  it('adds to the default trust instead of replacing it: NODE_EXTRA_CA_CERTS and the bundled roots stay trusted', async () => {
    const env = { NODE_EXTRA_CA_CERTS: second.caFile };
    const fetcher = createFetch({ caFile: first.caFile, env });
    expect(await issuerAt(fetcher, discovery(first))).toBe(first.idp.issuer);
    expect(await issuerAt(fetcher, discovery(second))).toBe(second.idp.issuer);

    const trusted = trustedCertificates(first.caFile, env);
    expect(trusted).toEqual(expect.arrayContaining([...rootCertificates]));
    expect(trusted).toContain(readFileSync(first.caFile, 'utf8').trim());
    expect(trusted).toContain(readFileSync(second.caFile, 'utf8').trim());
  });

  it("Node's built-in fetch already honours NODE_EXTRA_CA_CERTS, and createFetch() without a ca_file keeps it", async () => {
    const script = `const { createFetch } = await import(${JSON.stringify(builtDist())});
      const response = await createFetch()(process.argv[1]);
      console.log(response.status);`;
    const run = (extra: string) =>
      promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, discovery(first)], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: extra },
      });
    expect((await run(first.caFile)).stdout.trim()).toBe('200');
    await expect(run('')).rejects.toMatchObject({ stderr: expect.stringContaining('its TLS certificate is not trusted') });
  });
});
