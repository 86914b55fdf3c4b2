import { defineConfig } from 'tsup';

// Four entries: the full library (the host API of the CLI and the server);
// `provider`, the surface provider plugins are written against (no keyring, lock
// library or config parser); the lean `cached-token` path that `authctl
// print-token` loads when the cached token is still fresh (no zod, no
// oauth4webapi, no network); and `verify`, helpers for verifiers and the only
// part that loads jose. Splitting keeps shared code in small chunks.
export default defineConfig({
  entry: { index: 'src/index.ts', provider: 'src/provider.ts', 'cached-token': 'src/cached-token.ts', verify: 'src/verify/index.ts' },
  format: ['esm'],
  dts: true,
  splitting: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
