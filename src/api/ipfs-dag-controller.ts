import { z } from '@hono/zod-openapi'
import { dagJsonBytes, encodeDagValue, putDag, resolveDagPath } from '../node/models/ipfs/dag.ts'
import { parseContentPath } from '../node/models/ipfs/content-path.ts'
import { PayloadTooLargeError } from '../node/errors.ts'
import { MAX_BLOCK_SIZE } from '../node/models/ipfs/blocks.ts'
import { ok } from './envelope.ts'
import { addRoute } from './route.ts'
import { cidParam, flag, timeoutParam } from './schemas.ts'
import { readCapped } from './streams.ts'
import { isJson, parseQuery, parseWith, pathAfter, readJson } from './validate.ts'
import type { ApiDeps, ApiEnv } from './env.ts'
import type { OpenAPIHono } from '@hono/zod-openapi'

const PutJson = z.object({
  object: z.unknown().refine(v => v !== undefined, 'is required').openapi({ description: 'The node, read as dag-json: {"/": cid} is a link, {"/": {"bytes": b64}} is bytes' }),
  store_codec: z.string().optional().openapi({ example: 'dag-cbor' }),
  format: z.string().optional().openapi({ description: 'Old name for store_codec' }),
  hash: z.string().optional(),
  pin: z.boolean().optional()
})

const PutQuery = z.object({
  input_codec: z.string().optional().openapi({ example: 'dag-json' }),
  store_codec: z.string().optional().openapi({ example: 'dag-cbor' }),
  hash: z.string().optional(),
  pin: flag.optional(),
  timeout: timeoutParam
})

const GetQuery = z.object({
  output_codec: z.string().optional().openapi({ example: 'dag-json' }),
  timeout: timeoutParam
})

/** dag/put, dag/get, dag/resolve. */
export function registerDagRoutes (app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { helia } = deps.node
  const offline = (): boolean => !deps.node.online

  addRoute(app, {
    operation: 'ipfs_dag_put',
    method: 'post',
    path: '/ipfs/dag/put',
    summary: 'Store an IPLD node: JSON {object, store_codec?} or a raw body with input_codec/store_codec',
    tags: ['ipfs'],
    request: { query: PutQuery, body: { content: { 'application/json': { schema: PutJson } } } }
  }, async (c) => {
    if (isJson(c) && c.req.query('input_codec') == null) {
      const body = parseWith(PutJson, await readJson(c), 'body')
      const storeCodec = body.store_codec ?? body.format ?? 'dag-cbor'
      const cid = await putDag(helia, dagJsonBytes(body.object), { storeCodec, hash: body.hash, pin: body.pin, signal: c.var.signal })
      deps.node.cache.noteAdded(cid, { pinned: body.pin, source: 'dag' })
      return ok(c, { cid: cid.toString(), store_codec: storeCodec, pinned: body.pin === true })
    }
    const query = parseQuery(c, PutQuery)
    const input = await readCapped(c.req.raw.body, MAX_BLOCK_SIZE, (n) => new PayloadTooLargeError(`the node is ${n} bytes or more; the limit is ${MAX_BLOCK_SIZE}`))
    const storeCodec = query.store_codec ?? 'dag-cbor'
    const cid = await putDag(helia, input, { inputCodec: query.input_codec, storeCodec, hash: query.hash, pin: query.pin, signal: c.var.signal })
    deps.node.cache.noteAdded(cid, { pinned: query.pin, source: 'dag' })
    return ok(c, { cid: cid.toString(), store_codec: storeCodec, pinned: query.pin === true })
  })

  addRoute(app, {
    operation: 'ipfs_dag_get',
    method: 'get',
    path: '/ipfs/dag/get/{cid}',
    hiddenPaths: ['/ipfs/dag/get/:cid/*'],
    summary: 'The node (or the value a path names) as dag-json by default',
    tags: ['ipfs'],
    request: { params: z.object({ cid: cidParam }), query: GetQuery }
  }, async (c) => {
    const path = parseContentPath(pathAfter(c.req.url, '/ipfs/dag/get/'))
    const query = parseQuery(c, GetQuery)
    const resolved = await resolveDagPath(helia, path, { signal: c.var.signal, offline: offline() })
    const { bytes, contentType } = encodeDagValue(resolved.value, query.output_codec)
    return new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: {
        'Content-Type': contentType,
        'Content-Length': String(bytes.byteLength),
        'X-IPFS-Path': ['/ipfs', path.cid.toString(), ...path.segments].join('/')
      }
    })
  })

  addRoute(app, {
    operation: 'ipfs_dag_resolve',
    method: 'get',
    path: '/ipfs/dag/resolve/{cid}',
    hiddenPaths: ['/ipfs/dag/resolve/:cid/*'],
    summary: 'The CID a path reaches and the path that remains inside it',
    tags: ['ipfs'],
    request: { params: z.object({ cid: cidParam }), query: z.object({ timeout: timeoutParam }) }
  }, async (c) => {
    const path = parseContentPath(pathAfter(c.req.url, '/ipfs/dag/resolve/'))
    const resolved = await resolveDagPath(helia, path, { signal: c.var.signal, offline: offline() })
    return ok(c, { cid: resolved.cid.toString(), remainder_path: resolved.remainderPath })
  })
}

