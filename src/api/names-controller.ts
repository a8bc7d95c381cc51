import { z } from '@hono/zod-openapi'
import { generateKey, listKeys, removeKey, requireKey, SELF_KEY } from '../node/models/network/keys.ts'
import { parseDuration } from '../node/models/network/duration.ts'
import { parseIpnsName, publishPath, resolveName } from '../node/models/network/names.ts'
import { ok } from './envelope.ts'
import { addRoute } from './route.ts'
import { flag, timeoutParam } from './schemas.ts'
import { parseJsonBody, parseParams } from './validate.ts'
import type { ApiDeps, ApiEnv } from './env.ts'
import type { OpenAPIHono } from '@hono/zod-openapi'

const boolish = z.union([z.boolean(), flag])

const PublishBody = z.object({
  path: z.string().min(1).optional().openapi({ example: '/ipfs/bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e' }),
  cid: z.string().min(1).optional(),
  key: z.string().min(1).optional().openapi({ description: 'Keychain key name (default "self", the node\'s identity)' }),
  lifetime: z.string().optional().openapi({ example: '24h' }),
  ttl: z.string().optional().openapi({ example: '1h' }),
  resolve: boolish.optional().openapi({ description: 'Check that the path resolves before publishing (default true)' }),
  allow_offline: boolish.optional().openapi({ description: 'Publish to the local store only when the node has no connection (default true)' })
}).refine(b => b.path != null || b.cid != null, { message: 'give "path" or "cid"', path: ['path'] })

const ResolveParams = z.object({
  name: z.string().min(1).openapi({ example: '/ipns/k51qzi5uqu5d…' }),
  recursive: boolish.optional(),
  nocache: boolish.optional(),
  timeout: timeoutParam
})

const KeyGenBody = z.object({ name: z.string().min(1), type: z.string().optional().openapi({ example: 'ed25519' }) })
const KeyRmBody = z.object({ name: z.string().min(1) })

const DAY_MS = 24 * 3_600_000

/** IPNS names and the keys that publish them. */
export function registerNameRoutes (app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { node } = deps
  const tags = ['ipns']

  addRoute(app, {
    operation: 'name_publish',
    method: 'post',
    path: '/ipfs/name/publish',
    summary: 'Publish a path under a key; the record is stored locally and put to the DHT when online',
    tags,
    request: { body: { required: true, content: { 'application/json': { schema: PublishBody } } } }
  }, async (c) => {
    const body = await parseJsonBody(c, PublishBody)
    const offline = !node.online
    const key = body.key ?? SELF_KEY
    await requireKey(node.helia, key, { signal: c.var.signal })
    const published = await publishPath(node.helia, node.names, key, body.path ?? body.cid!, {
      lifetime: body.lifetime != null ? parseDuration(body.lifetime, 'lifetime') : DAY_MS,
      ttl: body.ttl != null ? parseDuration(body.ttl, 'ttl') : undefined,
      resolve: body.resolve,
      allowOffline: body.allow_offline !== false,
      offline,
      signal: c.var.signal
    })
    return ok(c, { Name: published.name, Value: published.value, name: published.name, value: published.value, sequence: Number(published.sequence), published_to_network: !offline })
  })

  for (const method of ['get', 'post'] as const) {
    addRoute(app, { operation: 'name_resolve', method, path: '/ipfs/name/resolve', summary: 'Resolve an IPNS name to a path (works offline from the local store)', tags, request: { query: ResolveParams } }, async (c) => {
      const p = await parseParams(c, ResolveParams)
      const resolved = await resolveName(node.names, parseIpnsName(p.name), { recursive: p.recursive, nocache: p.nocache, offline: !node.online, signal: c.var.signal })
      return ok(c, { Path: resolved.path, path: resolved.path, name: p.name, sequence: Number(resolved.sequence) })
    })
  }

  addRoute(app, { operation: 'key_gen', method: 'post', path: '/ipfs/key/gen', summary: 'Create a named key (ed25519 by default)', tags: ['keys'], request: { body: { required: true, content: { 'application/json': { schema: KeyGenBody } } } } }, async (c) => {
    const body = await parseJsonBody(c, KeyGenBody)
    const key = await generateKey(node.helia, body.name, body.type, { signal: c.var.signal })
    return ok(c, { Name: key.name, Id: key.id, ...key })
  })

  addRoute(app, { operation: 'key_list', method: 'get', path: '/ipfs/key/list', summary: 'The keys of the keychain (never their private parts)', tags: ['keys'] }, async (c) => {
    const keys = await listKeys(node.helia, { signal: c.var.signal })
    return ok(c, { Keys: keys.map(k => ({ Name: k.name, Id: k.id })), keys, count: keys.length })
  })

  addRoute(app, { operation: 'key_rm', method: 'post', path: '/ipfs/key/rm', summary: 'Remove a key ("self" cannot be removed)', tags: ['keys'], request: { body: { required: true, content: { 'application/json': { schema: KeyRmBody } } } } }, async (c) => {
    const body = await parseJsonBody(c, KeyRmBody)
    const key = await removeKey(node.helia, body.name, { signal: c.var.signal })
    return ok(c, { removed: true, Name: key.name, Id: key.id })
  })
}
