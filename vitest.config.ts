import { defineConfig } from 'vitest/config';

// Two projects: `unit` (no services) and `integration` (real MariaDB, PostgreSQL, Redis, Kafka, SFTP on loopback,
// brought up by test/setup/services.global.ts when they are not already reachable).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Some unit tests spawn the CLI (tsx start-up included): a loaded 2-core machine needs more than 5 s.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/setup/services.global.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
