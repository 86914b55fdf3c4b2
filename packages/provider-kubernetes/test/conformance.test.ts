import { describeProviderConformance } from '@auth/testkit/conformance';
import { kubernetes } from '../src/index.js';

// A machine identity: no OAuth flows; the suite checks its options, capabilities, proof failures and verifier.
describeProviderConformance({
  provider: () => kubernetes,
  manifest: {
    capabilities: ['proof', 'verify'],
    settings: () => ({ method: 'kubernetes', domain: 'http://127.0.0.1:8080', identity_id: 'conformance-identity', service_account_token_path: '/nonexistent/token' }),
    bindings: { 'kubernetes-auth': { kubernetes_host: 'https://127.0.0.1:6443', allowed_namespaces: ['ci'] } },
  },
});
