// The JavaScript a visit loads, gzip-compressed as a server would send it:
// what the first paint needs (the entry and what index.html preloads), and
// what every tab loads next because any tab may have to run the node.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { row } from './common.mjs'

const KB = 1000

function gzipBytes (dist, path) {
  return gzipSync(readFileSync(new URL(`.${path}`, dist)), { level: 9 }).byteLength
}

/** `loaded`: the paths of the scripts the page fetched until its node was up (from the browser). */
export function bundleSection (dist, loaded) {
  const html = readFileSync(new URL('./index.html', dist), 'utf8')
  const initial = [...html.matchAll(/<script[^>]+src="([^"]+\.js)"|<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g)].map(m => m[1] ?? m[2])
  const first = initial.reduce((n, path) => n + gzipBytes(dist, path), 0)
  const later = loaded.filter(path => !initial.includes(path))
  const rest = later.reduce((n, path) => n + gzipBytes(dist, path), 0)
  return {
    rows: [
      row(`initial JavaScript to first paint, gzip (${initial.length} files)`, first / KB, 'KB', { target: '≤ 250 KB', met: first <= 250 * KB }),
      row(`JavaScript loaded next to start the node, gzip (${later.length} files)`, rest / KB, 'KB')
    ],
    samples: { initial, later, initial_bytes: first, later_bytes: rest }
  }
}
