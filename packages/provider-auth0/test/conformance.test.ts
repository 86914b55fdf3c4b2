import { startAuth0Double, type Auth0Double } from '@auth/testkit';
import { describeProviderConformance, type ConformanceIdP } from '@auth/testkit/conformance';
import { auth0 } from '../src/index.js';

/** Auth0's issuer keeps its trailing slash and its grants want an `audience`: the flows run against the testkit's Auth0 double. */
interface Auth0IdP extends ConformanceIdP {
  double: Auth0Double;
}

async function auth0IdP(): Promise<Auth0IdP> {
  const double = await startAuth0Double();
  return {
    issuer: double.issuer,
    double,
    approveDevice: async (shown) => double.approveDevice(shown.user_code),
    denyDevice: async (shown) => double.devices.deny(shown.user_code),
    close: () => double.close(),
  };
}

describeProviderConformance({
  provider: () => auth0,
  idp: auth0IdP,
  manifest: {
    capabilities: ['oauth'],
    server: 'discovery',
    settings: (idp) => ({ domain: idp.double.url, client_id: idp.double.clients.native, audience: idp.double.audience }),
    flows: ['device', 'client-credentials', 'refresh'],
    serviceAccount: (idp) => ({ settings: { client_id: idp.double.clients.machine.id }, secret: idp.double.clients.machine.secret }),
  },
});
