import { describeProviderConformance, testkitIdP } from '@auth/testkit/conformance';

/** What auth-server binds a workload's own IdP to, for the oidc-auth and jwt-auth logins this provider verifies. */
const bindings = {
  'oidc-auth': { oidc_discovery_url: 'https://token.actions.githubusercontent.com', bound_issuer: 'https://token.actions.githubusercontent.com' },
  'jwt-auth': { jwks_url: 'https://kubernetes.default.svc/openid/v1/jwks', bound_issuer: 'https://kubernetes.default.svc' },
};
import { createOidc, oidc } from '../src/index.js';

// By discovery, with Debian's chromium signing in for the browser flow.
describeProviderConformance({
  provider: () => oidc,
  idp: () => testkitIdP({ browser: 'chromium' }),
  manifest: {
    capabilities: ['oauth', 'verify', 'gateway'],
    server: 'discovery',
    settings: (idp) => ({ issuer: idp.issuer, client_id: idp.clients.public, scopes: ['openid', 'offline_access'] }),
    flows: ['browser', 'device', 'client-credentials', 'refresh'],
    serviceAccount: (idp) => ({ settings: { client_id: idp.clients.confidential.id }, secret: idp.clients.confidential.secret }),
    bindings,
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
    bindings,
  },
});
