import { z } from '@hono/zod-openapi'
import { getBlock, MAX_BLOCK_SIZE, putBlock, statBlock } from '../node/models/ipfs/blocks.ts'
import { parseCid } from '../node/models/ipfs/content-path.ts'
import { BlockTooLargeError } from '../node/errors.ts'
import { ok } from './envelope.ts'
import { UnsupportedMediaTypeError } from './errors.ts'
import { fileParts, isMultipart, readForm } from './multipart.ts'
import { addRoute } from './route.ts'
import { cidParam, flag, timeoutParam } from './schemas.ts'
import { readCapped } from './streams.ts'
import { decodeBase64, isJson, parseQuery, parseWith, readJson } from './validate.ts'
import type { ApiDeps, ApiEnv } from './env.ts'
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'

const PutQuery = z.object({
  cid_codec: z.string().optional().openapi({ description: 'Codec of the new CID (default raw)' }),
  format: z.string().optional().openapi({ description: 'Old name for cid_codec' }),
  mhtype: z.string().optional().openapi({ description: 'Multihash (default sha2-256)' }),
  pin: flag.optional(),
  timeout: timeoutParam
})

const PutJson = z.object({
  data: z.string().openapi({ description: 'The block, base64' }),
  format: z.string().optional(),
  cid_codec: z.string().optional(),
  mhtype: z.string().optional(),
  pin: z.boolean().optional()
})

/** block/put, block/get, block/stat. */
export function registerBlockRoutes (app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { helia } = deps.node
  const offline = (): boolean => !deps.node.online

  addRoute(app, {
    operation: 'ipfs_block_put',
    method: 'post',
    path: '/ipfs/block/put',
    summary: 'Store one block (raw body, multipart "file", or JSON {data: base64}); over 2 MiB is refused',
    tags: ['ipfs'],
    request: { query: PutQuery }
  }, async (c) => {
    const { bytes, codec, hash, pin } = await readBlockRequest(c)
    const stat = await putBlock(helia, bytes, { codec, hash, pin, signal: c.var.signal })
    deps.node.cache.noteAdded(stat.cid, { size: stat.size, pinned: pin, source: 'block' })
    return ok(c, { cid: stat.cid.toString(), size: stat.size, codec: codec ?? 'raw', pinned: pin === true })
  })

  addRoute(app, {
    operation: 'ipfs_block_get',
    method: 'get',
    path: '/ipfs/block/get/{cid}',
    summary: 'The raw bytes of one block',
    tags: ['ipfs'],
    request: { params: z.object({ cid: cidParam }), query: z.object({ timeout: timeoutParam }) }
  }, async (c) => {
    const cid = parseCid(c.req.param('cid') ?? '')
    const bytes = await getBlock(helia, cid, { signal: c.var.signal, offline: offline() })
    return new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: {
        'Content-Type': 'application/vnd.ipld.raw',
        'Content-Length': String(bytes.byteLength),
        'X-IPFS-Path': `/ipfs/${cid.toString()}`
      }
    })
  })

  addRoute(app, {
    operation: 'ipfs_block_stat',
    method: 'get',
    path: '/ipfs/block/stat/{cid}',
    summary: 'The size of one block',
    tags: ['ipfs'],
    request: { params: z.object({ cid: cidParam }), query: z.object({ timeout: timeoutParam }) }
  }, async (c) => {
    const stat = await statBlock(helia, parseCid(c.req.param('cid') ?? ''), { signal: c.var.signal, offline: offline() }, deps.node.blockstore)
    return ok(c, { cid: stat.cid.toString(), size: stat.size })
  })
}

/** Room for multipart boundaries and part headers around a block of the maximum size. */
const MULTIPART_OVERHEAD = 64 * 1024

function tooLarge (bytes: number): BlockTooLargeError {
  return new BlockTooLargeError(`the block is ${bytes} bytes or more; a block may be at most ${MAX_BLOCK_SIZE}`)
}

interface BlockRequest { bytes: Uint8Array, codec?: string, hash?: string, pin?: boolean }

async function readBlockRequest (c: Context<ApiEnv>): Promise<BlockRequest> {
  const type = c.req.header('content-type') ?? ''
  if (isJson(c)) {
    const body = parseWith(PutJson, await readJson(c), 'body')
    const bytes = decodeBase64(body.data, 'data')
    return { bytes, codec: body.cid_codec ?? body.format, hash: body.mhtype, pin: body.pin }
  }
  const query = parseQuery(c, PutQuery)
  const options = { codec: query.cid_codec ?? query.format, hash: query.mhtype, pin: query.pin }
  const declared = Number(c.req.header('content-length'))
  if (Number.isFinite(declared) && declared > MAX_BLOCK_SIZE + MULTIPART_OVERHEAD) {
    // refuse before reading: the body could be far larger than any block
    throw tooLarge(declared)
  }
  if (isMultipart(c)) {
    const [file] = fileParts(await readForm(c), 'file', 'data')
    if (file.size > MAX_BLOCK_SIZE) throw tooLarge(file.size)
    return { bytes: new Uint8Array(await file.arrayBuffer()), ...options }
  }
  if (type === '' || /^(application\/octet-stream|application\/vnd\.ipld\.raw)/i.test(type)) {
    return { bytes: await readCapped(c.req.raw.body, MAX_BLOCK_SIZE, tooLarge), ...options }
  }
  throw new UnsupportedMediaTypeError(`block/put takes a raw body (application/octet-stream), multipart/form-data or JSON, not ${type}`)
}
