// The JavaScript a visit loads, gzip-compressed as a server would send it:
// what the first paint waits for (the entry and its static imports, from
// Vite's manifest), and what every tab loads next because any tab may have
// to run the node (index.html preloads it beside the entry).
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { row } from './common.mjs'

const KB = 1000

function gzipBytes (dist, path) {
  return gzipSync(readFileSync(new URL(`./${path.replace(/^\//, '')}`, dist)), { level: 9 }).byteLength
}

/** The entry chunk and every chunk it imports statically, as dist paths. */
function staticClosure (manifest) {
  const entryKey = Object.keys(manifest).find(k => manifest[k].isEntry === true)
  const seen = new Set()
  const visit = (key) => {
    if (seen.has(key)) return
    seen.add(key)
    for (const dep of manifest[key].imports ?? []) visit(dep)
  }
  visit(entryKey)
  return [...seen].map(k => `/${manifest[k].file}`)
}

/** `loaded`: the paths of the scripts the page fetched until its node was up (from the browser). */
export function bundleSection (dist, loaded) {
  const manifest = JSON.parse(readFileSync(new URL('./.vite/manifest.json', dist), 'utf8'))
  const initial = staticClosure(manifest)
  const first = initial.reduce((n, path) => n + gzipBytes(dist, path), 0)
  const later = loaded.filter(path => !initial.includes(path))
  const rest = later.reduce((n, path) => n + gzipBytes(dist, path), 0)
  return {
    rows: [
      row(`initial JavaScript the first paint waits for, gzip (${initial.length} files)`, first / KB, 'KB', { target: '≤ 250 KB', met: first <= 250 * KB }),
      row(`JavaScript loaded after it until the node is up (node, its worker, cache codec, charts), gzip (${later.length} files)`, rest / KB, 'KB')
    ],
    samples: { initial, later, initial_bytes: first, later_bytes: rest }
  }
}
