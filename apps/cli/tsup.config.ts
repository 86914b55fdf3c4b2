import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { authctl: 'src/authctl.ts' },
  format: ['esm'],
  dts: false,
  splitting: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
});
