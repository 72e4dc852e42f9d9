import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The real-Mesos tier runs on its own: `npm run test:mesos` (vitest.mesos.config.ts).
    exclude: [...configDefaults.exclude, 'test/mesos-real/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real processes and servers; two cores cannot run many at once.
    maxWorkers: 2,
  },
});
