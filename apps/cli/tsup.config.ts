import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { authctl: 'src/authctl.ts' },
  format: ['esm'],
  dts: false,
  splitting: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // The print-token hot path (core's cached-token module and the TOML parser
  // it uses) is bundled into one chunk: resolving and loading a dozen small
  // ES modules at startup cost ~15 ms, a fifth of `node -e 0` (bench/print-token.mjs).
  // The full program still imports @auth/core as a dependency.
  noExternal: ['@auth/core/cached-token', 'smol-toml'],
  banner: { js: '#!/usr/bin/env node' },
});
