import { defineConfig } from 'vite'

// The service worker: one classic script at the site root, so its scope covers /api/.
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2023',
    sourcemap: true,
    lib: {
      entry: 'src/sw/service-worker.ts',
      formats: ['iife'],
      name: 'mcpServiceWorker',
      fileName: () => 'sw.js'
    }
  }
})
