/**
 * The HTML page for a directory without an index.html. Every name comes from
 * content anyone may have written, so each one is HTML-escaped where it is
 * shown and URL-encoded where it is linked; the page also forbids scripts
 * (its Content-Security-Policy), so a slip in either cannot run code on the
 * app's origin.
 */
import type { DirectoryEntry } from '../../node/models/ipfs/ls.ts'
import type { CID } from 'multiformats/cid'

export const LISTING_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"

export interface ListingInit {
  /** The directory's URL path, URL-encoded, ending in `/`. */
  urlPath: string
  /** The same path URL-decoded, for a person to read. */
  displayPath: string
  cid: CID
  entries: DirectoryEntry[]
  /** Whether the path has a parent inside the content (there is none above the root CID or name). */
  hasParent: boolean
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, c => ESCAPES[c])
}

export function formatSize (bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++ }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

export function renderDirectoryListing (init: ListingInit): string {
  const sorted = [...init.entries].sort((a, b) => (a.type === b.type ? 0 : a.type === 'directory' ? -1 : 1) || compareNames(a.name, b.name))
  const rows = sorted.map(entry => {
    const href = `${init.urlPath}${encodeURIComponent(entry.name)}${entry.type === 'directory' ? '/' : ''}`
    const label = `${entry.name}${entry.type === 'directory' ? '/' : ''}`
    const size = entry.type === 'directory' ? '' : formatSize(entry.size)
    const cid = entry.cid.toString()
    return `<tr><td class="name"><a href="${escapeHtml(href)}">${escapeHtml(label)}</a></td>` +
      `<td class="size" title="${entry.size} bytes">${size}</td>` +
      `<td class="cid"><a href="${escapeHtml(cidHref(entry))}">${cid}</a></td></tr>`
  })
  const parent = init.hasParent ? '<tr><td class="name"><a href="../">../</a></td><td></td><td></td></tr>' : ''
  const title = `Index of ${escapeHtml(init.displayPath)}`
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1b1b; }
h1 { font-size: 1.2rem; word-break: break-all; }
p { color: #555; word-break: break-all; }
table { border-collapse: collapse; width: 100%; }
td { padding: 0.3rem 0.6rem; border-bottom: 1px solid #e4e4e4; vertical-align: top; }
td.size { text-align: right; white-space: nowrap; }
td.cid { font-family: monospace; font-size: 0.8rem; word-break: break-all; }
td.name { word-break: break-all; }
</style>
</head>
<body>
<h1>${title}</h1>
<p>${escapeHtml(init.cid.toString())} · ${init.entries.length} ${init.entries.length === 1 ? 'entry' : 'entries'}</p>
<table>
<tbody>
${parent}${rows.join('\n')}
</tbody>
</table>
</body>
</html>
`
}

/** A file's own CID, with its name so it keeps its type; a directory's, in the slash form its listing wants. */
function cidHref (entry: DirectoryEntry): string {
  const cid = entry.cid.toString()
  return entry.type === 'directory' ? `/ipfs/${cid}/` : `/ipfs/${cid}?filename=${encodeURIComponent(entry.name)}`
}

function compareNames (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
