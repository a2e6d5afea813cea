import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // A hang guard, not a speed check: a few property and round-trip tests take seconds on
          // a busy machine (CI shares 2 cores), and vitest's 5 s default failed them there.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'unit-dom',
          include: ['test/unit-dom/**/*.test.ts'],
          environment: 'jsdom',
          // A hang guard, not a speed check: a few property and round-trip tests take seconds on
          // a busy machine (CI shares 2 cores), and vitest's 5 s default failed them there.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          environment: 'node',
          testTimeout: 90_000,
          hookTimeout: 90_000,
          // One browser at a time: the machine has two cores.
          fileParallelism: false,
        },
      },
    ],
  },
})
