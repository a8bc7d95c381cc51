import type { ApiEnv } from './env.ts'
import type { ClassifiedError } from './errors.ts'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** Unix seconds as a float, as the original server reported them. */
export function unixSeconds (ms = Date.now()): number {
  return ms / 1000
}

/** A success reply: `{success, operation, timestamp, ...body}`. */
export function ok (c: Context<ApiEnv>, body: Record<string, unknown>, status: ContentfulStatusCode = 200): Response {
  return c.json({ success: true, operation: c.var.operation, timestamp: unixSeconds(), ...body }, status)
}

/** An error reply; never carries a stack. */
export function errorBody (operation: string, err: ClassifiedError): Record<string, unknown> {
  return { success: false, operation, timestamp: unixSeconds(), error: err.error, error_type: err.error_type }
}
