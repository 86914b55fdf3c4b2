import { describeProviderConformance } from '@auth/testkit/conformance';
import { azure } from '../src/index.js';

// A machine identity: no OAuth flows; the suite checks its options, capabilities, proof failures and verifier.
describeProviderConformance({
  provider: () => azure,
  manifest: {
    capabilities: ['proof', 'verify'],
    settings: () => ({ method: 'azure', domain: 'http://127.0.0.1:8080', identity_id: 'conformance-identity', resource: 'https://management.azure.com/' }),
    bindings: { 'azure-auth': { tenant_id: '72f988bf-86f1-41af-91ab-2d7cd011db47', resource: 'https://management.azure.com/', allowed_service_principal_ids: ['00000000-0000-0000-0000-000000000001'] } },
  },
});
