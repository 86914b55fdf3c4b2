import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // Published without runtime dependencies: zod is bundled in, and @auth/core is only ever imported for its types.
  noExternal: ['zod'],
});
