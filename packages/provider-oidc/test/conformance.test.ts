import { describeProviderConformance } from '@auth/testkit/conformance';
import { createOidc, oidc } from '../src/index.js';

describeProviderConformance({
  provider: () => oidc,
  manifest: {
    capabilities: ['oauth', 'verify', 'gateway'],
    server: 'discovery',
    settings: (idp) => ({ issuer: idp.issuer, client_id: idp.clients.public, scopes: ['openid', 'offline_access'] }),
    flows: ['browser', 'device', 'client-credentials', 'refresh'],
    serviceAccount: (idp) => ({ settings: { client_id: idp.clients.confidential.id }, secret: idp.clients.confidential.secret }),
  },
});

// influxctl's profiles name the endpoints and skip discovery.
describeProviderConformance({
  provider: () => createOidc({ id: 'oidc', name: 'OpenID Connect (explicit endpoints)' }),
  manifest: {
    capabilities: ['oauth', 'verify', 'gateway'],
    server: 'endpoints',
    settings: (idp) => ({ client_id: idp.clients.public, token_url: `${idp.issuer}/token`, device_url: `${idp.issuer}/device/auth`, scopes: ['openid'] }),
    flows: ['device', 'client-credentials', 'refresh'],
    serviceAccount: (idp) => ({ settings: { client_id: idp.clients.confidential.id }, secret: idp.clients.confidential.secret }),
  },
});
