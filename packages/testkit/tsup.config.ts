import { defineConfig } from 'tsup';

// Two entries: the library, and the BROWSER executable (tsup keeps its
// `#!/usr/bin/env node` line and marks the file executable).
export default defineConfig({
  entry: { index: 'src/index.ts', 'browser-bin': 'src/browser-bin.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
