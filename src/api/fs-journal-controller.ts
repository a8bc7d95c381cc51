import { z } from '@hono/zod-openapi'
import { ENTRY_STATUSES, OPERATION_TYPES } from '../node/journal/types.ts'
import { ok } from './envelope.ts'
import { addRoute } from './route.ts'
import { count, timeoutParam } from './schemas.ts'
import { parseJsonBody, parseQuery } from './validate.ts'
import type { ApiDeps, ApiEnv } from './env.ts'
import type { Handler } from './route.ts'
import type { JournalEntry } from '../node/journal/types.ts'
import type { OpenAPIHono } from '@hono/zod-openapi'

const OperationsQuery = z.object({
  status: z.enum(ENTRY_STATUSES).optional(),
  operation_type: z.enum(OPERATION_TYPES).optional().openapi({ description: 'Only entries of this operation type' }),
  path: z.string().startsWith('/', 'must be an absolute path').max(4096).optional()
    .openapi({ description: 'Only entries whose path is this one or lies under it', example: '/photos' }),
  limit: count.max(10_000).optional().openapi({ description: 'Default 100' }),
  offset: count.optional().openapi({ description: 'Skip this many of the matching entries (newest first) before `limit`; default 0' }),
  since: z.coerce.number().nonnegative().optional().openapi({ description: 'Only entries recorded at or after this Unix time (seconds)' }),
  timeout: timeoutParam
})

const AddEntryBody = z.object({
  operation_type: z.enum(OPERATION_TYPES).refine(t => t !== 'checkpoint', 'use POST /checkpoint for checkpoints'),
  path: z.string().startsWith('/', 'must be an absolute path').max(4096),
  data: z.record(z.string(), z.union([z.string().max(4096), z.number(), z.boolean(), z.null()])).optional()
    .refine(d => d == null || Object.keys(d).length <= 64, 'at most 64 fields'),
  status: z.enum(['pending', 'completed', 'failed']).optional()
})

const CheckpointBody = z.object({ reason: z.string().max(256).optional() })

/** Entries as the API shows them: timestamps in Unix seconds, like every other reply. */
function entryJson (e: JournalEntry): Record<string, unknown> {
  return {
    ...e,
    timestamp: e.timestamp / 1000,
    settled_at: e.settled_at != null ? e.settled_at / 1000 : null
  }
}

/** The filesystem journal: /fs-journal/* (and /fs_journal/*, the original's spelling). */
export function registerFsJournalRoutes (app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { mfs } = deps.node
  const { journal } = mfs
  const tags = ['fs-journal']
  const both = (path: string): { path: string, aliases: string[] } => ({ path: `/fs-journal${path}`, aliases: [`/fs_journal${path}`] })

  addRoute(app, { operation: 'fs_journal_status', method: 'get', ...both('/status'), summary: 'Entry counts by status, last checkpoint, root CID, journal size', tags }, async (c) => {
    return ok(c, await journal.status())
  })

  const list: Handler = async (c) => {
    const q = parseQuery(c, OperationsQuery)
    const offset = q.offset ?? 0
    const { entries, total } = await journal.page({
      status: q.status,
      operation_type: q.operation_type,
      path: q.path,
      since: q.since != null ? q.since * 1000 : undefined,
      offset,
      limit: q.limit ?? 100
    })
    const operations = entries.map(entryJson)
    return ok(c, { operations, transactions: operations, count: operations.length, total, offset })
  }
  addRoute(app, { operation: 'fs_journal_operations', method: 'get', ...both('/operations'), summary: 'Journal entries, newest first (?status=&operation_type=&path=&since=&offset=&limit=); `total` counts every match', tags, request: { query: OperationsQuery } }, list)
  addRoute(app, { operation: 'fs_journal_operations', method: 'get', ...both('/transactions'), summary: 'Journal entries (the original server\'s name)', tags, request: { query: OperationsQuery } }, list)

  addRoute(app, { operation: 'fs_journal_stats', method: 'get', ...both('/stats'), summary: 'Counts by operation type and status, mean apply time, last recovery', tags }, async (c) => {
    return ok(c, await journal.stats())
  })

  addRoute(app, {
    operation: 'fs_journal_add_entry',
    method: 'post',
    ...both('/add_entry'),
    summary: 'Record an application-level entry (kept and listed, never replayed)',
    tags,
    request: { body: { required: true, content: { 'application/json': { schema: AddEntryBody } } } }
  }, async (c) => {
    const body = await parseJsonBody(c, AddEntryBody)
    const entry = await journal.record({ operation_type: body.operation_type, path: body.path, data: body.data ?? {}, status: body.status })
    return ok(c, { entry: entryJson(entry) })
  })

  addRoute(app, {
    operation: 'fs_journal_checkpoint',
    method: 'post',
    ...both('/checkpoint'),
    summary: 'Record the MFS root as a checkpoint and compact older settled entries',
    tags,
    request: { body: { content: { 'application/json': { schema: CheckpointBody } } } }
  }, async (c) => {
    const body = c.req.header('content-type') != null ? await parseJsonBody(c, CheckpointBody) : {}
    const { entry, compacted } = await journal.checkpoint(body.reason ?? 'requested')
    return ok(c, { checkpoint: entryJson(entry), root_cid: entry.result_cid ?? null, compacted })
  })

  addRoute(app, { operation: 'fs_journal_recover', method: 'post', ...both('/recover'), summary: 'Run recovery now and report what it did', tags }, async (c) => {
    return ok(c, { recovery: await mfs.recover(), root_cid: mfs.root().toString() })
  })
}
