import { raceDeadline } from './deadline.ts'
import type { ApiEnv } from './env.ts'
import type { OpenAPIHono, RouteConfig } from '@hono/zod-openapi'
import { TrieRouter } from 'hono/router/trie-router'
import type { Context, MiddlewareHandler } from 'hono'

export type Handler = (c: Context<ApiEnv>) => Promise<Response> | Response

export interface RouteSpec {
  /** The operation name reported in replies, logs and stats. */
  operation: string
  method: RouteConfig['method']
  /** OpenAPI path (`{param}` style). */
  path: string
  /** Other paths answered by the same handler (the original server's aliases). */
  aliases?: string[]
  /** Extra hono-style paths, not in the OpenAPI document (e.g. `/:cid/*` for sub-paths). */
  hiddenPaths?: string[]
  summary: string
  description?: string
  tags: string[]
  request?: RouteConfig['request']
  /** Describes the success reply; error replies are added for every route. */
  responses?: RouteConfig['responses']
  /**
   * Whether the handler holds the repo lock shared (so garbage collection
   * waits for it). Default: every method but GET, since those may write blocks.
   */
  holdsRepoLock?: boolean
  /**
   * Whether the handler needs the node's network (libp2p), which goes on
   * starting after the node answers: if so it waits for that start, within
   * the request's deadline.
   */
  network?: boolean
}

const errorResponses: RouteConfig['responses'] = {
  400: { description: 'Bad input: a malformed CID, JSON or parameter (JSON error envelope)' },
  404: { description: 'Unknown route, or content not available (JSON error envelope)' },
  504: { description: 'The deadline (`?timeout=`) passed (JSON error envelope)' }
}

function setOperation (operation: string, route: string): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    c.set('operation', operation)
    c.set('route', route)
    await next()
  }
}

/**
 * The router every face of the API uses. Hono's default tries to compile
 * its routes into one expression at the first request, which these routes'
 * patterns defeat, and then falls back to this one: the attempt cost the
 * first request of a tab's start about 8 ms.
 */
export function apiRouter<T> (): TrieRouter<T> {
  return new TrieRouter<T>()
}

/** Where the API is mounted. */
export const API_PREFIX = '/api/v0/mcp'

/**
 * Declares one operation: its OpenAPI entry, its aliases, and a handler that
 * is raced against the request's deadline. The zod schemas in `request` are
 * the documentation; handlers validate with the same schemas (validate.ts),
 * because most bodies come in several shapes (JSON, multipart, raw) that a
 * single validator middleware cannot tell apart.
 */
export function addRoute (app: OpenAPIHono<ApiEnv>, spec: RouteSpec, handler: Handler): void {
  refuseTwice(app, spec)
  const locked = spec.holdsRepoLock ?? spec.method !== 'get'
  const run: Handler = async (c) => {
    const work = (async () => {
      // the network first, outside the lock: a collection must not wait while a route waits for libp2p
      if (spec.network === true) await c.var.network.ready({ signal: c.var.signal })
      // a request that timed out while it waited for the lock must not run after its 504
      return locked ? c.var.repoLock.shared(async () => { c.var.signal.throwIfAborted(); return handler(c) }) : handler(c)
    })()
    return raceDeadline(work, c.var.signal, c.var.timeoutMs)
  }
  const paths = [spec.path, ...(spec.aliases ?? [])]
  paths.forEach((path, i) => {
    const config: RouteConfig = {
      method: spec.method,
      path,
      operationId: i === 0 ? spec.operation : `${spec.operation}_${i}`,
      summary: i === 0 ? spec.summary : `${spec.summary} (alias of ${spec.path})`,
      description: spec.description,
      tags: spec.tags,
      request: spec.request,
      responses: { 200: { description: 'Success envelope' }, ...spec.responses, ...errorResponses }
    }
    app.openAPIRegistry.registerPath(config)
    app.on(spec.method.toUpperCase(), honoPath(path), setOperation(spec.operation, path), run)
  })
  for (const path of spec.hiddenPaths ?? []) {
    app.on(spec.method.toUpperCase(), path, setOperation(spec.operation, spec.path), run)
  }
}

const declared = new WeakMap<object, Set<string>>()

/** A route declared twice would answer with the first handler and describe itself twice: a mistake to stop at once. */
function refuseTwice (app: object, spec: RouteSpec): void {
  const seen = declared.get(app) ?? new Set<string>()
  declared.set(app, seen)
  for (const path of [spec.path, ...(spec.aliases ?? [])]) {
    const key = `${spec.method.toUpperCase()} ${path}`
    if (seen.has(key)) throw new Error(`${key} is declared twice (${spec.operation})`)
    seen.add(key)
  }
}

/** `/ipfs/cat/{cid}` → `/ipfs/cat/:cid` */
function honoPath (openApiPath: string): string {
  return openApiPath.replace(/\{(\w+)\}/g, ':$1')
}
