import { z } from '@hono/zod-openapi'
import { parseCid } from '../node/models/ipfs/content-path.ts'
import { listPins, pinContent, unpinContent } from '../node/models/ipfs/pins.ts'
import { ok } from './envelope.ts'
import { addRoute } from './route.ts'
import { flag, timeoutParam } from './schemas.ts'
import { toReadableStream } from './streams.ts'
import { parseJsonBody, parseQuery } from './validate.ts'
import type { ApiDeps, ApiEnv } from './env.ts'
import type { PinInfo } from '../node/models/ipfs/pins.ts'
import type { OpenAPIHono } from '@hono/zod-openapi'

const PinBody = z.object({
  cid: z.string().min(1),
  recursive: z.union([z.boolean(), flag]).optional(),
  name: z.string().max(256).optional()
})

const UnpinBody = z.object({ cid: z.string().min(1) })

const PinsQuery = z.object({
  type: z.enum(['all', 'recursive', 'direct', 'indirect']).optional(),
  stream: flag.optional().openapi({ description: 'Stream the pins as NDJSON' }),
  timeout: timeoutParam
})

function pinJson (pin: PinInfo): Record<string, unknown> {
  return { cid: pin.cid.toString(), type: pin.type, name: pin.name ?? null }
}

/** pin, unpin, and the pin list. */
export function registerPinRoutes (app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { helia } = deps.node

  addRoute(app, {
    operation: 'ipfs_pin_add',
    method: 'post',
    path: '/ipfs/pin',
    aliases: ['/ipfs/pin/add'],
    summary: 'Pin a CID (recursively by default); every block must be available',
    tags: ['ipfs'],
    request: { body: { required: true, content: { 'application/json': { schema: PinBody } } } }
  }, async (c) => {
    const body = await parseJsonBody(c, PinBody)
    const pin = await pinContent(helia, parseCid(body.cid), {
      recursive: body.recursive,
      name: body.name,
      signal: c.var.signal,
      offline: !deps.node.online
    })
    deps.node.cache.notePinned(pin.cid, true)
    return ok(c, { ...pinJson(pin), pinned: true, already_pinned: pin.alreadyPinned })
  })

  addRoute(app, {
    operation: 'ipfs_pin_rm',
    method: 'post',
    path: '/ipfs/unpin',
    aliases: ['/ipfs/pin/rm'],
    summary: 'Remove a pin; a CID that is not pinned is a 404',
    tags: ['ipfs'],
    request: { body: { required: true, content: { 'application/json': { schema: UnpinBody } } } }
  }, async (c) => {
    const body = await parseJsonBody(c, UnpinBody)
    const pin = await unpinContent(helia, parseCid(body.cid), { signal: c.var.signal })
    deps.node.cache.notePinned(pin.cid, false)
    return ok(c, { ...pinJson(pin), unpinned: true })
  })

  addRoute(app, {
    operation: 'ipfs_pin_ls',
    method: 'get',
    path: '/ipfs/pins',
    aliases: ['/ipfs/pin/ls'],
    summary: 'List pins (`?type=all|recursive|direct|indirect`, `?stream=true` for NDJSON)',
    tags: ['ipfs'],
    request: { query: PinsQuery }
  }, async (c) => {
    const query = parseQuery(c, PinsQuery)
    const pins = listPins(helia, { type: query.type, signal: c.var.signal })
    if (query.stream === true) {
      const encoder = new TextEncoder()
      const lines = (async function * () {
        for await (const pin of pins) yield encoder.encode(`${JSON.stringify(pinJson(pin))}\n`)
      })()
      return new Response(toReadableStream(lines), { headers: { 'Content-Type': 'application/x-ndjson' } })
    }
    const list: Array<Record<string, unknown>> = []
    for await (const pin of pins) list.push(pinJson(pin))
    return ok(c, { pins: list, count: list.length })
  })
}
