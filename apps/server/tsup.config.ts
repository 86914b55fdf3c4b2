import { defineConfig } from 'tsup';

// The library (with types) and the `auth-server` binary. The shebang lands on
// every emitted file; Node ignores it in modules that are imported.
export default defineConfig({
  entry: { index: 'src/index.ts', 'auth-server': 'src/auth-server.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  splitting: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
});
