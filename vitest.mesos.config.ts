import { defineConfig } from 'vitest/config';

// The real-Mesos tier (`npm run test:mesos`, which checks MESOS_HOME first). Not part of
// `npm test`: vitest.config.ts excludes test/mesos-real/. One file at a time: each starts a
// master and three agents of an unoptimised (-O0) Mesos build, which start executors slowly.
export default defineConfig({
  test: {
    include: ['test/mesos-real/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
