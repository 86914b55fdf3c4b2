import { defineConfig } from 'tsup';

// Three entries: the library, the conformance suites (a subpath, so a test
// that only starts the IdP loads neither vitest nor @auth/core), and the
// BROWSER executable (tsup keeps its `#!/usr/bin/env node` line and marks
// the file executable). @auth/core and vitest are peer dependencies: external.
export default defineConfig({
  entry: { index: 'src/index.ts', conformance: 'src/conformance/index.ts', 'browser-bin': 'src/browser-bin.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts', conformance: 'src/conformance/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
