import { z } from '@hono/zod-openapi'
import { FILTER_OPS, MAX_QUERY_LIMIT } from '../node/cache/query.ts'
import { PARTITION_STRATEGIES } from '../node/cache/partitions.ts'
import { COLUMN_NAMES } from '../node/cache/schema.ts'
import { parseCid } from '../node/models/ipfs/content-path.ts'
import { ok } from './envelope.ts'
import { addRoute } from './route.ts'
import { count } from './schemas.ts'
import { parseJsonBody, parseQuery } from './validate.ts'
import type { ApiDeps, ApiEnv } from './env.ts'
import type { OpenAPIHono } from '@hono/zod-openapi'

const column = z.string().openapi({ enum: [...COLUMN_NAMES], example: 'size_bytes' })

const QueryBody = z.object({
  filters: z.array(z.object({
    column,
    op: z.enum(FILTER_OPS),
    value: z.unknown().openapi({ description: 'A number, string, boolean, null, or an array for "in"; timestamps also as ISO dates' })
  })).max(32).optional(),
  sort: z.union([
    z.object({ column, order: z.enum(['asc', 'desc']).optional() }),
    z.array(z.object({ column, order: z.enum(['asc', 'desc']).optional() })).max(8)
  ]).optional(),
  limit: z.number().int().min(0).max(MAX_QUERY_LIMIT).optional()
}).strict()

const CidBody = z.object({ cid: z.string().min(1) })
const HotQuery = z.object({ limit: count.max(10_000).optional() })

/** The CID cache: records, queries, the Parquet export, tiers and schema optimisation. */
export function registerCacheRoutes (app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { cache } = deps.node
  const tags = ['cache']

  addRoute(app, {
    operation: 'cache_stats',
    method: 'get',
    path: '/cache/stats',
    summary: 'Records, partitions, bytes on disk, schema version, hits and misses per tier, load time',
    tags
  }, (c) => ok(c, { stats: cache.stats(), partition_strategies: PARTITION_STRATEGIES }))

  addRoute(app, {
    operation: 'cache_get',
    method: 'get',
    path: '/cache/get/{cid}',
    summary: 'The record of one CID (404 when the node never touched it)',
    tags,
    request: { params: z.object({ cid: z.string() }) }
  }, async (c) => {
    return ok(c, { record: await cache.get(parseCid(c.req.param('cid') ?? '')) })
  })

  addRoute(app, {
    operation: 'cache_query',
    method: 'post',
    path: '/cache/query',
    summary: 'Records matching every filter (= != < <= > >= in contains), sorted, limited',
    description: 'Example: everything over 10 MB added this week: `{"filters": [{"column": "size_bytes", "op": ">", "value": 10000000}, {"column": "added_timestamp", "op": ">=", "value": "2026-11-18"}]}`',
    tags,
    holdsRepoLock: false,
    request: { body: { required: true, content: { 'application/json': { schema: QueryBody } } } }
  }, async (c) => {
    const body = await parseJsonBody(c, QueryBody)
    const result = await cache.query({ filters: body.filters?.map(f => ({ ...f, value: f.value })), sort: body.sort, limit: body.limit })
    return ok(c, { records: result.records, count: result.records.length, total: result.total, used_indexes: result.used_indexes })
  })

  addRoute(app, {
    operation: 'cache_hot',
    method: 'get',
    path: '/cache/hot',
    summary: 'The hottest records first (heat recomputed now)',
    tags,
    request: { query: HotQuery }
  }, async (c) => {
    const { limit } = parseQuery(c, HotQuery)
    const records = await cache.hot(limit ?? 20)
    return ok(c, { records, count: records.length })
  })

  addRoute(app, {
    operation: 'cache_export',
    method: 'get',
    path: '/cache/export',
    summary: 'Every record as one Parquet file (a download)',
    tags,
    responses: { 200: { description: 'A Parquet file', content: { 'application/vnd.apache.parquet': { schema: z.any().openapi({ type: 'string', format: 'binary' }) } } } }
  }, async () => {
    const bytes = await cache.exportParquet()
    const name = `cid-cache-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.parquet`
    return new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: {
        'Content-Type': 'application/vnd.apache.parquet',
        'Content-Length': String(bytes.byteLength),
        'Content-Disposition': `attachment; filename="${name}"`
      }
    })
  })

  addRoute(app, {
    operation: 'cache_optimize',
    method: 'post',
    path: '/cache/optimize',
    summary: 'The workload type, unused columns, and the columns that earned a sorted index (built now)',
    tags,
    holdsRepoLock: false
  }, async (c) => ok(c, { report: await cache.optimize() }))

  addRoute(app, {
    operation: 'cache_schema',
    method: 'get',
    path: '/cache/schema',
    summary: 'The record schema, its version and history',
    tags
  }, (c) => ok(c, cache.schema()))

  addRoute(app, {
    operation: 'cache_flush',
    method: 'post',
    path: '/cache/flush',
    summary: 'Write changed records to the Parquet files now (otherwise done in the background)',
    tags,
    holdsRepoLock: false
  }, async (c) => {
    await cache.flush()
    return ok(c, { stats: cache.stats() })
  })

  for (const move of ['promote', 'demote'] as const) {
    addRoute(app, {
      operation: `cache_tiers_${move}`,
      method: 'post',
      path: `/cache/tiers/${move}`,
      summary: move === 'promote'
        ? 'Copy a CID\'s blocks into the memory tier (colder records are evicted to make room)'
        : 'Drop a CID\'s blocks from the memory tier (they stay in IndexedDB)',
      tags,
      holdsRepoLock: false,
      request: { body: { required: true, content: { 'application/json': { schema: CidBody } } } }
    }, async (c) => {
      const cid = parseCid((await parseJsonBody(c, CidBody)).cid)
      const moved = move === 'promote' ? await cache.promote(cid, { signal: c.var.signal }) : await cache.demote(cid)
      return ok(c, { ...moved, tiers: cache.stats().tiers })
    })
  }
}
