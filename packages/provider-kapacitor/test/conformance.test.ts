import { describeProviderConformance } from '@auth/testkit/conformance';
import { kapacitor } from '../src/index.js';

// Basic credentials checked against Kapacitor, and the gateway: no OAuth flows.
describeProviderConformance({
  provider: () => kapacitor,
  manifest: {
    capabilities: ['basic', 'gateway'],
    settings: () => ({ url: 'http://127.0.0.1:9092' }),
  },
});
