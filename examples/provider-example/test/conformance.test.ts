// The same suite every first-party provider passes, run against this package.
// Written against the kit's fixed entry point (@auth/testkit/conformance,
// describeProviderConformance); its option names follow the kit's documentation.
import { describeProviderConformance } from '@auth/testkit/conformance';
import example, { createExample } from '../src/index.js';

describeProviderConformance({
  provider: example,
  factory: createExample,
  settings: (idp: { issuer: string }) => ({ issuer: idp.issuer }),
  capabilities: { oauth: { discovery: true, flows: ['device', 'password', 'code', 'browser', 'client-credentials', 'refresh'] } },
});
