// The event-loop test runs alone, after the rest (DECISIONS): other test files' load would blur it.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/event-loop/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
