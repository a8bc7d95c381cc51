import { defineConfig } from 'vite'
import { versions } from './tools/versions.mjs'

/**
 * The node's host (src/sw/host.ts, with Helia, libp2p, the stores and the
 * API) as one classic script, built before the app (vite.config.ts links
 * it from index.html). Chromium keeps a code cache for classic scripts
 * served from the service worker's cache after their first run, but never
 * reuses one for module scripts (measured here: a 1.9 MB module compiled
 * afresh on each of five loads; the same code as a classic script was read
 * from the code cache from the second), and compiling this script was the
 * longest stage of a tab's start.
 */
export default defineConfig({
  define: { __VERSIONS__: JSON.stringify(versions()) },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2023',
    sourcemap: true,
    // its dynamic imports are inlined: there is nothing to preload
    modulePreload: false,
    // one script on purpose (see above), about 2 MB
    chunkSizeWarningLimit: 2500,
    // the app's build reads the script's name from here
    manifest: '.vite/host-manifest.json',
    rolldownOptions: {
      input: { 'node-host': 'src/sw/host.ts' },
      preserveEntrySignatures: 'strict',
      // a classic script has no import.meta: the worker's and the wasm's URLs are built on the
      // page's own, which resolves them the same way (Vite writes them as paths from the root)
      transform: { define: { 'import.meta.url': 'self.location.href', 'import.meta.resolve': 'undefined' } },
      output: {
        format: 'iife',
        name: 'mcpNodeHost',
        entryFileNames: 'assets/[name]-[hash].js',
        codeSplitting: false
      }
    }
  }
})
