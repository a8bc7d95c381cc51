import { existsSync, readFileSync } from 'node:fs'
import { defineConfig } from 'vite'
import type { Plugin } from 'vite'
import { versions } from './tools/versions.mjs'

const HOST_MANIFEST = 'dist/.vite/host-manifest.json'

/**
 * Where the node's host script is: built first, by vite.host.config.ts, as
 * one classic script (the dev server imports its source instead).
 */
function nodeHostUrl (command: 'build' | 'serve'): string {
  if (command === 'serve') return ''
  if (!existsSync(HOST_MANIFEST)) throw new Error(`${HOST_MANIFEST} is missing: build the host first (npm run build)`)
  const manifest = JSON.parse(readFileSync(HOST_MANIFEST, 'utf8')) as Record<string, { file: string, isEntry?: boolean }>
  const entry = Object.values(manifest).find(chunk => chunk.isEntry === true)
  if (entry == null) throw new Error(`${HOST_MANIFEST} names no entry`)
  return `/${entry.file}`
}

/**
 * Preloads the node's host script from index.html. Every tab runs it as
 * soon as the frame is up (any tab may have to lead), so fetching it beside
 * the frame's own scripts, rather than after, shortens the start; the frame
 * still paints before it runs.
 */
function preloadNodeHost (url: string): Plugin {
  return {
    name: 'preload-node-host',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: () => [{ tag: 'link', attrs: { rel: 'preload', as: 'script', href: url }, injectTo: 'head' }]
    }
  }
}

// The app: src/ui is the site root; the node's host is built by vite.host.config.ts, the service worker by vite.sw.config.ts.
export default defineConfig(({ command }) => {
  const hostUrl = nodeHostUrl(command)
  return {
    root: 'src/ui',
    define: { __VERSIONS__: JSON.stringify(versions()), __NODE_HOST_URL__: JSON.stringify(hostUrl) },
    // Preact's automatic JSX runtime (the same setting as tsconfig's jsxImportSource)
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    plugins: [preloadNodeHost(hostUrl)],
    build: {
      outDir: '../../dist',
      // the host's build has emptied it, and its script is in it
      emptyOutDir: false,
      target: 'es2023',
      sourcemap: true,
      // which chunks the entry imports statically: the benchmark counts what the first paint waits for
      manifest: true
    },
    preview: { port: 5173, strictPort: true, host: '127.0.0.1' }
  }
})
