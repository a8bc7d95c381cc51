import { defineConfig } from 'vite'
import { versions } from './tools/versions.mjs'

// The app: src/ui is the site root; the service worker is built by vite.sw.config.ts.
export default defineConfig({
  root: 'src/ui',
  define: { __VERSIONS__: JSON.stringify(versions()) },
  // Preact's automatic JSX runtime (the same setting as tsconfig's jsxImportSource)
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../../dist',
    emptyOutDir: true,
    target: 'es2023',
    sourcemap: true
  },
  preview: { port: 5173, strictPort: true, host: '127.0.0.1' }
})
