import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestCA, startTestIdP, type TestIdP, type TestIdPOptions } from '@auth/testkit';

/** An HTTPS test IdP whose certificate a fresh private CA signed, and that CA's PEM file in `dir`. */
export interface PrivateCaIdP {
  idp: TestIdP;
  /** The CA's PEM file: what `ca_file` or `NODE_EXTRA_CA_CERTS` must name. */
  caFile: string;
}

export async function startPrivateCaIdP(dir: string, name: string, options: TestIdPOptions = {}): Promise<PrivateCaIdP> {
  const ca = await createTestCA();
  const caFile = join(dir, `${name}-ca.pem`);
  await writeFile(caFile, ca.ca);
  return { idp: await startTestIdP({ ...options, tls: { key: ca.key, cert: ca.cert } }), caFile };
}
