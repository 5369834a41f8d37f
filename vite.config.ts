/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'
import { fileURLToPath } from 'node:url'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/**
 * The client is built as separate pages, so that a participant's phone loads only the participant
 * bundle (React + SurveyJS + our participant code) and never the staff pages.
 */
export default defineConfig({
  root: here('./client'),
  base: '/',
  plugins: [react()],
  build: {
    outDir: here('./dist/client'),
    emptyOutDir: true,
    manifest: true,
    rollupOptions: {
      input: {
        participant: here('./client/participant/index.html'),
        staff: here('./client/staff/index.html'),
      },
      output: {
        // Libraries in chunks of their own: they change rarely (so stay cached) and the benchmark
        // can tell our code's size from React's and SurveyJS's.
        manualChunks: (id: string) => {
          if (/node_modules\/(survey-core|survey-react-ui)\//.test(id)) return 'vendor-surveyjs'
          if (/node_modules\/(react|react-dom|scheduler)\//.test(id)) return 'vendor-react'
          return undefined
        },
      },
    },
    chunkSizeWarningLimit: 1700,
  },
  test: {
    root: here('.'),
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    // New studies take the server's time zone: tests pin it, so that they pass on any machine.
    env: { TZ: 'UTC' },
  },
})
