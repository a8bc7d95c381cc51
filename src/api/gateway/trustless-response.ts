/**
 * The trustless gateway's verifiable replies: one raw block
 * (`application/vnd.ipld.raw`) or a CAR of a DAG (`application/vnd.ipld.car`),
 * both attachments a browser will not render.
 *
 * With a path, the raw block is the one the path ends at (as Kubo's gateway
 * does; the spec itself allows raw blocks only at `/ipfs/<cid>`). A CAR for a
 * path is rooted at the URL's CID and carries the blocks that lead down the
 * path (HAMT shards included) before the DAG at its end, so a client can
 * verify the path as well as the content, as the spec asks.
 */
import { getBlock } from '../../node/models/ipfs/blocks.ts'
import { exportCar } from '../../node/models/ipfs/car.ts'
import { resolvePath } from '../../node/models/ipfs/resolve.ts'
import { parseRangeHeader } from '../file-response.ts'
import { contentDisposition } from './content-disposition.ts'
import { contentHeaders, notModified, reply, textReply } from './gateway-request.ts'
import { MEDIA_TYPES } from './response-format.ts'
import type { GatewayRequest } from './gateway-request.ts'
import type { DagScope } from './response-format.ts'
import type { UnixFSEntry } from 'ipfs-unixfs-exporter'
import type { CID } from 'multiformats/cid'

/** The CAR flavour written: version 1, depth-first, each block once. */
export const CAR_CONTENT_TYPE = `${MEDIA_TYPES.car}; version=1; order=dfs; dups=n`

export async function rawBlockResponse (req: GatewayRequest): Promise<Response> {
  const { c, target } = req
  const resolved = target.segments.length > 0 ? await resolvePath(req.deps.node.helia, target, req.read) : undefined
  const cid = resolved?.entry.cid ?? target.cid
  const headers = trustlessHeaders(req, resolved?.roots ?? [target.cid], `"${cid.toString()}.raw"`, 'bin', cid)
  // known from the URL alone when there is no path: a client that holds the block is answered without reading it
  const unchanged = notModified(req, headers)
  if (unchanged != null) return unchanged
  const bytes = await getBlock(req.deps.node.helia, cid, req.read)
  headers.set('Content-Type', MEDIA_TYPES.raw)
  headers.set('Accept-Ranges', 'bytes')
  const range = parseRangeHeader(c.req.header('range'), bytes.byteLength)
  if (range === 'unsatisfiable') {
    return textReply(416, `the range is outside the block (${bytes.byteLength} bytes)`, { 'Content-Range': `bytes */${bytes.byteLength}` })
  }
  if (range != null) {
    headers.set('Content-Range', `bytes ${range.offset}-${range.offset + range.length - 1}/${bytes.byteLength}`)
    headers.set('Content-Length', String(range.length))
    return reply(req, 206, headers, bytes.subarray(range.offset, range.offset + range.length))
  }
  headers.set('Content-Length', String(bytes.byteLength))
  return reply(req, 200, headers, bytes)
}

/**
 * `dag-scope=block` sends the end of the path alone; `entity` the whole of a
 * file, a plain directory's own block, the whole of a HAMT directory (its
 * shards, and with them more than the spec needs, which still verifies) and
 * the block alone for other codecs; `all` (the default) everything below.
 * `entity-bytes` is not narrowed to its range: the whole entity is sent.
 */
export async function carResponse (req: GatewayRequest, scope: DagScope): Promise<Response> {
  const { target } = req
  const { helia } = req.deps.node
  const needsEntry = target.segments.length > 0 || scope === 'entity'
  const resolved = needsEntry ? await resolvePath(helia, target, req.read) : undefined
  const end = resolved?.entry.cid ?? target.cid
  const pathTag = target.segments.length > 0 ? `.${fnv1a(target.segments.join('/'))}` : ''
  const headers = trustlessHeaders(req, resolved?.roots ?? [target.cid], `W/"${target.cid.toString()}.car.${scope}${pathTag}"`, 'car', target.cid)
  const unchanged = notModified(req, headers)
  if (unchanged != null) return unchanged
  // a missing root is a 404 now, not a 200 whose CAR breaks off at its first block
  if (resolved == null) await getBlock(helia, target.cid, req.read)
  headers.set('Content-Type', CAR_CONTENT_TYPE)
  headers.set('Accept-Ranges', 'none')
  if (req.head) return reply(req, 200, headers, undefined)
  const rootOnly = scope === 'block' || (scope === 'entity' && resolved != null && entityIsItsBlock(resolved.entry))
  const car = exportCar(helia, end, {
    roots: [target.cid],
    pathBlocks: resolved?.blocks,
    rootOnly,
    signal: req.read.signal,
    offline: req.read.offline
  })
  return reply(req, 200, headers, car)
}

function entityIsItsBlock (entry: UnixFSEntry): boolean {
  if (entry.type === 'directory') return entry.unixfs.type === 'directory'
  return entry.type === 'object' || entry.type === 'identity'
}

function trustlessHeaders (req: GatewayRequest, roots: CID[], etag: string, extension: string, named: CID): Headers {
  const headers = contentHeaders(req, roots, etag)
  const filename = req.c.req.query('filename')
  headers.set('Content-Disposition', contentDisposition('attachment', filename != null && filename !== '' ? filename : `${named.toString()}.${extension}`))
  headers.set('X-Content-Type-Options', 'nosniff')
  return headers
}

/** A short, stable tag for a path, so CARs of different paths under one CID get different ETags. */
function fnv1a (text: string): string {
  let hash = 0x811c9dc5
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(16).padStart(8, '0')
}
