// Test runner settings: database tests need generous hooks (create, migrate, drop a database).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.spec.ts'],
    // Run alone afterwards by `npm test` (vitest.event-loop.config.ts).
    exclude: ['test/event-loop/**', 'node_modules/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
