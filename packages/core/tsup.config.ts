import { defineConfig } from 'tsup';

// Two entries: the full library, and the lean `cached-token` path that
// `authctl print-token` loads when the cached token is still fresh (no zod,
// no oauth4webapi, no network). Splitting keeps shared code in small chunks.
export default defineConfig({
  entry: { index: 'src/index.ts', 'cached-token': 'src/cached-token.ts' },
  format: ['esm'],
  dts: true,
  splitting: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
