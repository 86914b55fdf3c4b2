import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The entry `authctl` runs for every `print-token` and `token exec-credential`,
    // so it is one CommonJS file: starting Node's ES module loader costs about
    // 8 ms of wall time and 16 ms of CPU before the first line runs, and every
    // further module adds its own resolve and load. Core's cached-token module
    // and the TOML parser are bundled in; the keyring reader they may need is
    // bundled too but only required when a keyring-backed profile asks
    // (esbuild initialises such modules lazily in CommonJS output). The full
    // program is an ES module, imported on demand (bench/print-token.mjs).
    entry: { authctl: 'src/authctl.ts' },
    format: ['cjs'],
    shims: true, // import.meta.url in the bundled keyring agent resolves from this file
    outExtension: () => ({ js: '.cjs' }),
    dts: false,
    splitting: false,
    sourcemap: true,
    clean: false,
    target: 'node20',
    noExternal: ['@auth/core/cached-token', 'smol-toml'],
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    entry: { program: 'src/program.ts' },
    format: ['esm'],
    dts: false,
    splitting: true,
    sourcemap: true,
    clean: false,
    target: 'node20',
  },
]);
