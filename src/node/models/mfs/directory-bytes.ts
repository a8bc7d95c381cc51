/**
 * A directory node's dag-pb bytes, made from the bytes of each of its links,
 * which are kept from one encoding of the directory to the next.
 * `@ipld/dag-pb`'s encode checks the links' order and writes every link's
 * name afresh, five UTF-8 encodings a link, so a write into a directory of N
 * entries paid N of each: 1000 small writes into one directory spent a
 * quarter of their time there. A link's bytes are still the library's (a
 * node of that one link, encoded by it), and a node's bytes are its links'
 * and then its data's, as dag-pb lays them out. Links out of dag-pb's order
 * are left to the library, which refuses them.
 *
 * The bytes are kept by link object: links are never changed once made (an
 * edit makes a new link, and a new list of links around the old ones).
 */
import * as dagPb from '@ipld/dag-pb'

interface LinkBytes {
  /** The link as a node's field: what dag-pb writes for it among a node's links. */
  field: Uint8Array
  /** Its name's UTF-8 bytes, which dag-pb orders links by. */
  name: Uint8Array
}

const utf8 = new TextEncoder()
const kept = new WeakMap<dagPb.PBLink, LinkBytes>()

function linkBytes (link: dagPb.PBLink): LinkBytes {
  let bytes = kept.get(link)
  if (bytes == null) {
    bytes = { field: dagPb.encode({ Links: [link] }), name: utf8.encode(link.Name ?? '') }
    kept.set(link, bytes)
  }
  return bytes
}

/** A link's name as UTF-8 bytes (dag-pb's order is theirs). */
export function nameBytes (link: dagPb.PBLink): Uint8Array {
  return linkBytes(link).name
}

/** dag-pb's order of links: by their names' UTF-8 bytes. */
export function compareNames (a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i]
  }
  return a.length - b.length
}

/** The same bytes as `dagPb.encode(node)`. */
export function encodeDirectory (node: dagPb.PBNode): Uint8Array {
  const links = node.Links.map(linkBytes)
  for (let i = 1; i < links.length; i++) {
    if (compareNames(links[i - 1].name, links[i].name) > 0) return dagPb.encode(node)
  }
  const data = node.Data == null ? undefined : dagPb.encode({ Data: node.Data, Links: [] })
  const bytes = new Uint8Array(links.reduce((sum, link) => sum + link.field.byteLength, data?.byteLength ?? 0))
  let offset = 0
  for (const { field } of links) {
    bytes.set(field, offset)
    offset += field.byteLength
  }
  if (data != null) bytes.set(data, offset)
  return bytes
}
