import type { ApiEnv } from './env.ts'
import type { ClassifiedError } from './errors.ts'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** Unix seconds as a float, as the original server reported them. */
export function unixSeconds (ms = Date.now()): number {
  return ms / 1000
}

const encoder = new TextEncoder()

/**
 * A JSON reply as bytes with their Content-Length: the API counts the bytes
 * of every reply, and the bridge hands one with a length over as one
 * buffer, with no stream to read it through.
 */
export function jsonReply (c: Context<ApiEnv>, value: unknown, status: ContentfulStatusCode = 200): Response {
  const bytes = encoder.encode(JSON.stringify(value))
  return c.body(bytes, status, { 'Content-Type': 'application/json', 'Content-Length': String(bytes.byteLength) })
}

/** A success reply: `{success, operation, timestamp, ...body}`. */
export function ok (c: Context<ApiEnv>, body: Record<string, unknown>, status: ContentfulStatusCode = 200): Response {
  return jsonReply(c, { success: true, operation: c.var.operation, timestamp: unixSeconds(), ...body }, status)
}

/** An error reply; never carries a stack. */
export function errorBody (operation: string, err: ClassifiedError): Record<string, unknown> {
  return { success: false, operation, timestamp: unixSeconds(), error: err.error, error_type: err.error_type }
}
