import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { defineConfig } from 'vite'
import type { AppFiles } from './src/sw/app-files.ts'

const DIST = 'dist'
/** Not part of the app: the server writes config.json, the worker is itself, maps are for DevTools. */
const NOT_APP = /(^|\/)(config\.json|sw\.js|sw\.js\.map|\.vite\/.*)$|\.map$/

/**
 * The app's files as the main build left them in dist/ (it runs first): the
 * page, its styles and scripts are fetched when the worker installs; wasm
 * when first used. The version is a hash of every file, so any change to
 * the app is a new worker, which installs the new files and drops the old.
 */
function appFiles (): AppFiles {
  const paths: string[] = []
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else paths.push(`/${relative(DIST, path).split('\\').join('/')}`)
    }
  }
  walk(DIST)
  const files = paths.filter(p => !NOT_APP.test(p.slice(1))).sort()
  const hash = createHash('sha256')
  for (const path of files) hash.update(path).update(readFileSync(join(DIST, path)))
  return {
    version: hash.digest('hex').slice(0, 16),
    precache: files.filter(p => !p.endsWith('.wasm')),
    onDemand: files.filter(p => p.endsWith('.wasm'))
  }
}

// The service worker: one classic script at the site root, so its scope covers /api/.
export default defineConfig({
  define: { __APP_FILES__: JSON.stringify(appFiles()) },
  build: {
    outDir: DIST,
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
