import { defineConfig } from 'tsup';

// Three entries: the full library; the lean `cached-token` path that
// `authctl print-token` loads when the cached token is still fresh (no zod,
// no oauth4webapi, no network); and `verify`, helpers for verifiers and the
// only part that loads jose. Splitting keeps shared code in small chunks.
export default defineConfig({
  entry: { index: 'src/index.ts', 'cached-token': 'src/cached-token.ts', verify: 'src/verify/index.ts' },
  format: ['esm'],
  dts: true,
  splitting: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
