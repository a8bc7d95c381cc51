import { defineConfig } from 'vitest/config'
import { versions } from './tools/versions.mjs'

export default defineConfig({
  define: { __VERSIONS__: JSON.stringify(versions()) },
  test: {
    include: ['test/unit/**/*.test.ts'],
    setupFiles: ['tools/node-polyfills.mjs'],
    environment: 'node',
    testTimeout: 20_000
  }
})
