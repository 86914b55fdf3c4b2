// The same suite every first-party provider passes, run against this package
// as its author would: @auth/testkit/conformance starts the testkit IdP and
// drives each declared flow through authctl's core.
import { describeProviderConformance } from '@auth/testkit/conformance';
import { example } from '../src/index.js';

describeProviderConformance({
  provider: () => example,
  manifest: {
    capabilities: ['oauth'],
    server: 'discovery',
    settings: (idp) => ({ issuer: idp.issuer, client_id: idp.clients.public, scopes: ['openid', 'offline_access'] }),
    flows: ['browser', 'device', 'client-credentials', 'refresh'],
    serviceAccount: (idp) => ({ settings: { client_id: idp.clients.confidential.id }, secret: idp.clients.confidential.secret }),
  },
});
