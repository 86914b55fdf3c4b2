import { describeProviderConformance } from '@auth/testkit/conformance';
import { awsIam } from '../src/index.js';

// A machine identity: no OAuth flows; the suite checks its options, capabilities, proof failures and verifier.
describeProviderConformance({
  provider: () => awsIam,
  manifest: {
    capabilities: ['proof', 'verify'],
    settings: () => ({ method: 'aws-iam', domain: 'http://127.0.0.1:8080', identity_id: 'conformance-identity', region: 'eu-west-1' }),
    bindings: { 'aws-auth': { region: 'eu-west-1', server_id: 'conformance.example', allowed_account_ids: ['123456789012'] } },
  },
});
