import { defineConfig } from 'vite'
import { versions } from '../tools/versions.mjs'

// Benchmark pages that drive the node's modules directly in Chromium (no service worker).
export default defineConfig({
  root: 'bench/pages',
  define: { __VERSIONS__: JSON.stringify(versions()) },
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2023' },
  preview: { host: '127.0.0.1', strictPort: true }
})
