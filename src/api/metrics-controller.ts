import { z } from '@hono/zod-openapi'
import { EXPOSITION_CONTENT_TYPE } from '../node/metrics/registry.ts'
import { ok } from './envelope.ts'
import { addRoute } from './route.ts'
import type { ApiDeps, ApiEnv } from './env.ts'
import type { OpenAPIHono } from '@hono/zod-openapi'

/** Prometheus metrics as text (for scrapers) and as JSON (for the app's charts). */
export function registerMetricsRoutes (app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  addRoute(app, {
    operation: 'metrics',
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics, text exposition format 0.0.4 (also served at /metrics on the origin)',
    tags: ['metrics'],
    responses: { 200: { description: 'Prometheus text', content: { 'text/plain': { schema: z.string() } } } }
  }, async () => new Response(await deps.metrics.exposition(), { headers: { 'Content-Type': EXPOSITION_CONTENT_TYPE } }))

  addRoute(app, {
    operation: 'metrics_json',
    method: 'get',
    path: '/metrics/json',
    summary: 'The same metrics as JSON, with a summary (request and byte totals, latency p95, cache hit ratio, peers)',
    tags: ['metrics']
  }, async (c) => ok(c, await deps.metrics.json()))
}
