import { defineConfig } from 'vitest/config';

// One config for the whole monorepo: every package's tests live beside its sources
// (`src/**/*.test.ts`) and import sibling packages through the `@mamori/source`
// export condition, so tests never need a prior build.
export default defineConfig({
  resolve: { conditions: ['@mamori/source'] },
  ssr: { resolve: { conditions: ['@mamori/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'testbed/src/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
