import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCertificate, startEntraDouble, type EntraDouble, type TestCertificate } from '@auth/testkit';
import { describeProviderConformance, type ConformanceIdP } from '@auth/testkit/conformance';
import { entra } from '../src/index.js';

/**
 * Entra's v2.0 endpoints sit at fixed paths under the tenant's authority
 * (no discovery), so the flows run against the testkit's Entra double; its
 * confidential client authenticates with a certificate, never a secret.
 */
interface EntraIdP extends ConformanceIdP {
  double: EntraDouble;
  certificate: TestCertificate;
}

async function entraIdP(): Promise<EntraIdP> {
  const dir = await mkdtemp(join(tmpdir(), 'entra-conformance-'));
  const certificate = await createTestCertificate(dir);
  const double = await startEntraDouble({ certificate: certificate.certificate });
  return {
    issuer: `${double.authorityHost}${double.tenantId}/v2.0`,
    double,
    certificate,
    approveDevice: async (shown) => double.approveDevice(shown.user_code),
    denyDevice: async (shown) => double.devices.deny(shown.user_code),
    close: async () => {
      await double.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describeProviderConformance({
  provider: () => entra,
  idp: entraIdP,
  manifest: {
    capabilities: ['oauth'],
    server: 'endpoints',
    settings: (idp) => ({ authority_host: idp.double.authorityHost, tenant: idp.double.tenantId, client_id: idp.double.clients.public }),
    flows: ['device', 'client-credentials', 'refresh'],
    serviceAccount: (idp) => ({
      settings: { client_id: idp.double.clients.confidential, certificate_file: idp.certificate.certificateFile, private_key_file: idp.certificate.privateKeyFile },
    }),
  },
});
