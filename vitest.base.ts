/**
 * Shared vitest settings: tests import workspace packages through the `@backprop/source` export
 * condition, so they always run against `src/` and a stale `dist/` can never hide a bug.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@backprop/source'] },
  ssr: { resolve: { conditions: ['@backprop/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    setupFiles: [fileURLToPath(new URL('./vitest.setup.ts', import.meta.url))],
  },
});
