import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// test/conformance.test.ts runs @auth/testkit/conformance, which lands with the kit's branch:
// this exclusion (and the one in tsconfig.json) goes when that is merged.
export default mergeConfig(shared, defineConfig({ test: { exclude: [...configDefaults.exclude, 'test/conformance.test.ts'] } }));
