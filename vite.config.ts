import { defineConfig } from 'vite'
import type { Plugin } from 'vite'
import { versions } from './tools/versions.mjs'

/**
 * Preloads the node's chunk from index.html. Every tab imports it as soon
 * as the frame runs (any tab may have to lead), so fetching and compiling it
 * beside the frame's own chunk, rather than after, shortens the start; the
 * frame still paints without waiting for it.
 */
function preloadNodeChunk (): Plugin {
  return {
    name: 'preload-node-chunk',
    transformIndexHtml: {
      order: 'post',
      handler (_html, ctx) {
        const chunk = Object.values(ctx.bundle ?? {}).find(c => c.type === 'chunk' && c.facadeModuleId?.endsWith('/src/sw/host.ts') === true)
        if (chunk == null) return []
        return [{ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: '', href: `/${chunk.fileName}` }, injectTo: 'head' }]
      }
    }
  }
}

// The app: src/ui is the site root; the service worker is built by vite.sw.config.ts.
export default defineConfig({
  root: 'src/ui',
  define: { __VERSIONS__: JSON.stringify(versions()) },
  // Preact's automatic JSX runtime (the same setting as tsconfig's jsxImportSource)
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [preloadNodeChunk()],
  build: {
    outDir: '../../dist',
    emptyOutDir: true,
    target: 'es2023',
    sourcemap: true,
    // which chunks the entry imports statically: the benchmark counts what the first paint waits for
    manifest: true
  },
  preview: { port: 5173, strictPort: true, host: '127.0.0.1' }
})
