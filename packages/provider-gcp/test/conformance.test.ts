import { describeProviderConformance } from '@auth/testkit/conformance';
import { gcp } from '../src/index.js';

// A machine identity: no OAuth flows; the suite checks its options, capabilities, proof failures and verifier.
describeProviderConformance({
  provider: () => gcp,
  manifest: {
    capabilities: ['proof', 'verify'],
    settings: () => ({ method: 'gcp-id-token', domain: 'http://127.0.0.1:8080', identity_id: 'conformance-identity', metadata_host: '127.0.0.1:1' }),
    bindings: { 'gcp-auth': { type: 'iam', allowed_service_accounts: ['ci@conformance.iam.gserviceaccount.com'] } },
  },
});
