import { contentTypeByName, sniffContentType, TEXT_SAMPLE } from '../node/models/ipfs/content-type.ts'
import { errorBody } from './envelope.ts'
import { servedElsewhere } from './direct-body.ts'
import { peek, toReadableStream } from './streams.ts'
import type { ApiEnv } from './env.ts'
import type { FileHandle } from '../node/models/ipfs/cat.ts'
import type { McpNode } from '../node/create-node.ts'
import type { Context } from 'hono'
import type { CID } from 'multiformats/cid'

export interface RequestedRange { offset?: number, length?: number }

export interface FileReplyInit {
  /** The request's `Range` header. */
  range?: string
  /** A range asked for another way (query, JSON body); a `Range` header wins over it. */
  requested?: RequestedRange
  /** The X-IPFS-Path header's value. */
  ipfsPath: string
  /** The name the Content-Type is taken from (the file's own when absent). */
  name?: string
  /** A HEAD request: headers only, reading no more than sniffing the type needs. */
  headOnly?: boolean
  /**
   * The body may be sent by the blockstore's thread (direct-body.ts): the
   * type is sniffed from the first bytes alone, and nothing else is read
   * here until the body is.
   */
  lazy?: boolean
}

/** A file's reply before any face has written it: status, headers, the range and the bytes to stream. */
export type FileReply =
  | { status: 200 | 206, headers: Record<string, string>, offset: number, length: number, body: AsyncIterable<Uint8Array> | undefined }
  | { status: 416, size: number }

/** Serves bytes [offset, offset + length) of a file from the blockstore's own thread (the node's serveFileFromStore): a port, or a Blob of the store's files. */
export type DirectFileReads = (cid: CID, offset: number, length: number) => Promise<MessagePort | Blob | undefined>

/** A file's bytes sent by the node's blockstore thread, under the request's signal, when the reply crosses to the service worker. */
export function readsFromStore (c: Context<ApiEnv>, node: Pick<McpNode, 'serveFileFromStore'>): DirectFileReads {
  return async (cid, offset, length) => node.serveFileFromStore(cid, offset, length, { signal: c.var.signal })
}

/**
 * A file of one block up to this size, held already (read to resolve its
 * path), is sent from this thread: asking the block worker to send it read
 * the block again, a round trip that was a third of the cat of a file of 100
 * kB. A larger block the stores keep as a Blob or in a file of their own,
 * which the worker hands over with no thread of ours reading it: 100 photos
 * of 1 MB took 10–15 % longer when sent from here.
 */
const SENT_FROM_HERE = 128 * 1024

/**
 * A file reply's body as a stream, which the bridge to the service worker
 * may have the blockstore's worker send instead (direct-body.ts).
 */
export function fileBody (file: FileHandle, reply: Extract<FileReply, { status: 200 | 206 }>, direct?: DirectFileReads): ReadableStream<Uint8Array> | null {
  if (reply.body == null) return null
  if (direct == null || reply.length === 0 || (file.held && file.size <= SENT_FROM_HERE)) return toReadableStream(reply.body)
  // nothing read here until the stream is: the bridge may have the blockstore's worker send it instead
  return servedElsewhere(toReadableStream(reply.body, undefined, 0), async () => direct(file.cid, reply.offset, reply.length))
}

/**
 * What every face answers for a file: Content-Type (from the name, else
 * sniffed from the file's first bytes, whatever range is read),
 * Content-Length, ETag, X-IPFS-Path and one `bytes=` Range (206/416).
 * Each face writes the 416 in its own error shape.
 */
export async function prepareFileReply (file: FileHandle, init: FileReplyInit): Promise<FileReply> {
  const header = parseRangeHeader(init.range, file.size)
  if (header === 'unsatisfiable') return { status: 416, size: file.size }
  const range = header ?? (init.requested?.offset != null || init.requested?.length != null ? init.requested : undefined)
  const { offset, length, content } = file.read(range == null ? undefined : { offset: range.offset ?? 0, length: range.length })
  const name = init.name ?? file.name
  let contentType = contentTypeByName(name)
  let body: AsyncIterable<Uint8Array> | undefined
  if (init.headOnly === true) {
    contentType ??= sniffContentType(undefined, await readHead(file))
  } else if (contentType == null && (offset > 0 || init.lazy === true)) {
    // the type is the file's, not the range's: a range from the middle of a PNG is still image/png
    contentType = sniffContentType(undefined, await readHead(file))
    body = content
  } else if (contentType != null) {
    body = content
  } else {
    const { first, all } = await peek(content)
    contentType ??= sniffContentType(undefined, first)
    body = all
  }
  const headers: Record<string, string> = {
    'Content-Type': contentType,
    'Content-Length': String(length),
    'X-IPFS-Path': init.ipfsPath,
    'Accept-Ranges': 'bytes',
    ETag: `"${file.cid.toString()}"`
  }
  if (header != null) {
    headers['Content-Range'] = `bytes ${offset}-${offset + length - 1}/${file.size}`
    return { status: 206, headers, offset, length, body }
  }
  return { status: 200, headers, offset, length, body }
}

/** Streams a file with Content-Type, Content-Length, X-IPFS-Path and Range (206/416) handling; a 416 in the MCP envelope. */
export async function fileResponse (c: Context<ApiEnv>, file: FileHandle, ipfsPath: string, requested: RequestedRange, direct?: DirectFileReads): Promise<Response> {
  const reply = await prepareFileReply(file, { range: c.req.header('range'), requested, ipfsPath, headOnly: c.req.method === 'HEAD', lazy: direct != null })
  if (reply.status === 416) {
    const error = { status: 416 as const, error: `the range is outside the file (${reply.size} bytes)`, error_type: 'RangeNotSatisfiableError' }
    return c.json(errorBody(c.var.operation, error), 416, {
      'Content-Range': `bytes */${reply.size}`
    })
  }
  return new Response(fileBody(file, reply, direct), { status: reply.status, headers: reply.headers })
}

/** The first bytes of a file, enough to sniff its type. */
async function readHead (file: FileHandle): Promise<Uint8Array | undefined> {
  if (file.size === 0) return undefined
  const chunks: Uint8Array[] = []
  for await (const chunk of file.read({ offset: 0, length: Math.min(file.size, TEXT_SAMPLE) }).content) chunks.push(chunk)
  if (chunks.length === 1) return chunks[0]
  const head = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
  let at = 0
  for (const chunk of chunks) { head.set(chunk, at); at += chunk.byteLength }
  return head
}

/** One `bytes=` range; several ranges or a malformed header are ignored (the whole file is sent), as RFC 9110 allows. */
export function parseRangeHeader (value: string | undefined, size: number): { offset: number, length: number } | 'unsatisfiable' | undefined {
  if (value == null) return undefined
  const match = /^bytes=(\d*)-(\d*)$/.exec(value.trim())
  if (match == null || (match[1] === '' && match[2] === '')) return undefined
  if (match[1] === '') {
    const suffix = Math.min(Number(match[2]), size)
    if (suffix === 0) return 'unsatisfiable'
    return { offset: size - suffix, length: suffix }
  }
  const start = Number(match[1])
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
  if (start >= size || end < start) return 'unsatisfiable'
  return { offset: start, length: end - start + 1 }
}
