import { defineConfig } from 'vitest/config'
import { fileURLToPath } from 'node:url'

/** Browser tests: real headless Chromium (Debian's) against the real server on a free port. */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
})
