import { sniffContentType } from '../node/models/ipfs/content-type.ts'
import { errorBody } from './envelope.ts'
import { peek, toReadableStream } from './streams.ts'
import type { ApiEnv } from './env.ts'
import type { FileHandle } from '../node/models/ipfs/cat.ts'
import type { Context } from 'hono'

export interface RequestedRange { offset?: number, length?: number }

/** Streams a file with Content-Type, Content-Length, X-IPFS-Path and Range (206/416) handling. */
export async function fileResponse (c: Context<ApiEnv>, file: FileHandle, ipfsPath: string, requested: RequestedRange): Promise<Response> {
  const header = parseRangeHeader(c.req.header('range'), file.size)
  if (header === 'unsatisfiable') {
    const error = { status: 416 as const, error: `the range is outside the file (${file.size} bytes)`, error_type: 'RangeNotSatisfiableError' }
    return c.json(errorBody(c.var.operation, error), 416, {
      'Content-Range': `bytes */${file.size}`
    })
  }
  const range = header ?? (requested.offset != null || requested.length != null ? requested : undefined)
  const { offset, length, content } = file.read(range == null ? undefined : { offset: range.offset ?? 0, length: range.length })
  const { first, all } = await peek(content)
  const headers: Record<string, string> = {
    'Content-Type': sniffContentType(file.name, first),
    'Content-Length': String(length),
    'X-IPFS-Path': ipfsPath,
    'Accept-Ranges': 'bytes',
    ETag: `"${file.cid.toString()}"`
  }
  if (header != null) {
    headers['Content-Range'] = `bytes ${offset}-${offset + length - 1}/${file.size}`
    return new Response(toReadableStream(all), { status: 206, headers })
  }
  return new Response(toReadableStream(all), { status: 200, headers })
}

/** One `bytes=` range; several ranges or a malformed header are ignored (the whole file is sent), as RFC 9110 allows. */
function parseRangeHeader (value: string | undefined, size: number): { offset: number, length: number } | 'unsatisfiable' | undefined {
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
