import { describeCredentialStoreConformance } from '@auth/testkit/conformance';
import { createMemoryStore } from '../../src/stores/memory-store.js';

describeCredentialStoreConformance({ name: 'memory', store: async () => createMemoryStore() });
