import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCA, startTestIdP, type TestIdP } from '@auth/testkit';
import { afterAll, beforeAll } from 'vitest';

export interface PrivateCaIdP {
  /** An HTTPS test IdP whose certificate a throwaway CA signed: nothing on this machine trusts it. */
  readonly idp: TestIdP;
  /** That CA's PEM file, for `ca_file` or `NODE_EXTRA_CA_CERTS`. */
  readonly caFile: string;
}

/** One such IdP for the test file, started before its tests and closed (with the CA file removed) after them. */
export function usePrivateCaIdP(): PrivateCaIdP {
  let idp: TestIdP | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    const ca = await createTestCA();
    dir = await mkdtemp(join(tmpdir(), 'authctl-ca-'));
    await writeFile(join(dir, 'private-ca.pem'), ca.ca);
    idp = await startTestIdP({ tls: { key: ca.key, cert: ca.cert } });
  });
  afterAll(async () => {
    await idp?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });
  return {
    get idp() {
      return idp!;
    },
    get caFile() {
      return join(dir!, 'private-ca.pem');
    },
  };
}
