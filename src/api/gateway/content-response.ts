/**
 * The deserialized replies of the path gateway: a file's bytes, a
 * directory's index.html or its listing, an IPLD node's block in its own
 * codec's media type.
 */
import { getBlock } from '../../node/models/ipfs/blocks.ts'
import { fileHandle } from '../../node/models/ipfs/cat.ts'
import { listDirectory } from '../../node/models/ipfs/ls.ts'
import { resolvePath } from '../../node/models/ipfs/resolve.ts'
import { PathNotFoundError } from '../../node/errors.ts'
import { fileBody, prepareFileReply, readsFromStore } from '../file-response.ts'
import { requestedDisposition } from './content-disposition.ts'
import { LISTING_CONTENT_SECURITY_POLICY, renderDirectoryListing } from './directory-listing.ts'
import { contentHeaders, notModified, reply, textReply } from './gateway-request.ts'
import type { GatewayRequest } from './gateway-request.ts'
import type { ContentPath } from '../../node/models/ipfs/content-path.ts'
import type { UnixFSDirectory, UnixFSEntry } from 'ipfs-unixfs-exporter'
import type { CID } from 'multiformats/cid'

/** Bump when the listing's HTML changes, so cached listings are not reused. */
const LISTING_VERSION = 1

const INDEX_FILE = 'index.html'

/** Media types for the IPLD codecs whose nodes are served as their block's bytes. */
const CODEC_MEDIA_TYPES: ReadonlyMap<number, string> = new Map([
  [0x71, 'application/vnd.ipld.dag-cbor'],
  [0x0129, 'application/vnd.ipld.dag-json'],
  [0x51, 'application/cbor'],
  [0x0200, 'application/json']
])

export async function contentResponse (req: GatewayRequest): Promise<Response> {
  if (req.path.namespace === 'ipfs' && req.target.segments.length === 0) {
    // a bare CID's ETag is known before anything is read: a client that holds the file is answered at once
    const unchanged = notModified(req, contentHeaders(req, [req.target.cid], `"${req.target.cid.toString()}"`))
    if (unchanged != null) return unchanged
  }
  const resolved = await resolvePath(req.deps.node.helia, req.target, req.read)
  const { entry, roots } = resolved
  if (entry.type === 'directory') return directoryResponse(req, entry, roots)
  if (entry.type === 'object') return ipldNodeResponse(req, entry.cid, roots)
  return fileResponse(req, entry, req.target, roots)
}

async function fileResponse (req: GatewayRequest, entry: UnixFSEntry, path: ContentPath, roots: CID[]): Promise<Response> {
  const { c } = req
  const file = fileHandle(entry, path, req.read)
  const headers = contentHeaders(req, roots, `"${file.cid.toString()}"`)
  const unchanged = notModified(req, headers)
  if (unchanged != null) return unchanged
  const filename = c.req.query('filename')
  const prepared = await prepareFileReply(file, {
    range: c.req.header('range'),
    ipfsPath: req.path.urlPath,
    // `?filename=photo.jpg` is how a link gives a bare CID its type
    name: filename != null && filename !== '' ? filename : file.name,
    headOnly: req.head,
    lazy: true
  })
  if (prepared.status === 416) {
    return textReply(416, `the range is outside the file (${prepared.size} bytes)`, { 'Content-Range': `bytes */${prepared.size}` })
  }
  for (const [name, value] of Object.entries(prepared.headers)) headers.set(name, value)
  const disposition = requestedDisposition({ filename, download: c.req.query('download') }, file.name)
  if (disposition != null) headers.set('Content-Disposition', disposition)
  return reply(req, prepared.status, headers, fileBody(file, prepared, readsFromStore(c, req.deps.node)) ?? undefined)
}

async function directoryResponse (req: GatewayRequest, dir: UnixFSDirectory, roots: CID[]): Promise<Response> {
  const { path } = req
  if (!path.trailingSlash) {
    // relative links in the directory's pages resolve against the slash form
    return new Response(null, { status: 301, headers: { Location: `${path.urlPath}/${path.search}` } })
  }
  const index = await findIndex(req, dir)
  if (index != null) {
    return fileResponse(req, index.entry, { cid: req.target.cid, segments: [...req.target.segments, INDEX_FILE] }, [...roots, index.entry.cid])
  }
  const headers = contentHeaders(req, roots, `"DirIndex-${LISTING_VERSION}_CID-${dir.cid.toString()}"`)
  const unchanged = notModified(req, headers)
  if (unchanged != null) return unchanged
  const listed = await listDirectory(req.deps.node.helia, { cid: dir.cid, segments: [] }, req.read, req.deps.node.blockstore)
  const html = renderDirectoryListing({
    urlPath: path.urlPath,
    displayPath: `/${path.namespace}/${[path.root, ...path.segments].join('/')}/`,
    cid: dir.cid,
    entries: listed.entries,
    hasParent: path.segments.length > 0
  })
  headers.set('Content-Type', 'text/html; charset=utf-8')
  headers.set('Content-Security-Policy', LISTING_CONTENT_SECURITY_POLICY)
  return reply(req, 200, headers, html)
}

/** The directory's index.html, if it has one that is a file. */
async function findIndex (req: GatewayRequest, dir: UnixFSDirectory): Promise<{ entry: UnixFSEntry } | undefined> {
  try {
    const { entry } = await resolvePath(req.deps.node.helia, { cid: dir.cid, segments: [INDEX_FILE] }, req.read)
    return entry.type === 'file' || entry.type === 'raw' ? { entry } : undefined
  } catch (err) {
    if ((err as Error).name === PathNotFoundError.name) return undefined
    throw err
  }
}

/** A dag-cbor, dag-json or json node: its block as it is, typed by its codec. */
async function ipldNodeResponse (req: GatewayRequest, cid: CID, roots: CID[]): Promise<Response> {
  const headers = contentHeaders(req, roots, `"${cid.toString()}"`)
  const unchanged = notModified(req, headers)
  if (unchanged != null) return unchanged
  const bytes = await getBlock(req.deps.node.helia, cid, req.read)
  headers.set('Content-Type', CODEC_MEDIA_TYPES.get(cid.code) ?? 'application/octet-stream')
  headers.set('Content-Length', String(bytes.byteLength))
  headers.set('X-Content-Type-Options', 'nosniff')
  return reply(req, 200, headers, bytes)
}
