import { InvalidJSONError, InvalidRequestError, UnsupportedMediaTypeError } from './errors.ts'
import type { ApiEnv } from './env.ts'
import type { Context } from 'hono'
import type { z } from '@hono/zod-openapi'

/** Validates with a zod schema; the error names each failing field. */
export function parseWith<S extends z.ZodType> (schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value)
  if (!result.success) {
    const problems = result.error.issues.map(issue => {
      const field = issue.path.length > 0 ? `${where} field "${issue.path.join('.')}"` : where
      return `${field}: ${issue.message}`
    })
    throw new InvalidRequestError(problems.join('; '))
  }
  return result.data
}

/** The query string, validated. */
export function parseQuery<S extends z.ZodType> (c: Context<ApiEnv>, schema: S): z.output<S> {
  return parseWith(schema, c.req.query(), 'query')
}

export function isJson (c: Context<ApiEnv>): boolean {
  return /^application\/(.+\+)?json\b/i.test(c.req.header('content-type') ?? '')
}

/** The JSON body, validated; a body of another type is a 415, unreadable JSON a 400. */
export async function parseJsonBody<S extends z.ZodType> (c: Context<ApiEnv>, schema: S): Promise<z.output<S>> {
  if (!isJson(c)) {
    throw new UnsupportedMediaTypeError(`this endpoint takes application/json, not ${c.req.header('content-type') ?? 'a body without a Content-Type'}`)
  }
  return parseWith(schema, await readJson(c), 'body')
}

export async function readJson (c: Context<ApiEnv>): Promise<unknown> {
  const text = await c.req.text()
  try {
    return JSON.parse(text)
  } catch (err) {
    // only where it failed: the parser's own message quotes the body, which may hold a secret
    const at = /position (\d+)/.exec((err as Error).message)?.[1]
    throw new InvalidJSONError(`the body is not valid JSON${at != null ? ` (at character ${at})` : ''}`)
  }
}

/** Everything in the URL path after a controller's prefix: `<cid>/sub/path`. */
export function pathAfter (url: string, marker: string): string {
  const pathname = new URL(url).pathname
  return pathname.slice(pathname.indexOf(marker) + marker.length)
}

/** Standard or URL-safe base64, whitespace ignored; anything else is a 400 naming the field. */
export function decodeBase64 (text: string, field: string): Uint8Array {
  const clean = text.replace(/\s/g, '')
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean)) {
    throw new InvalidRequestError(`body field "${field}" is not valid base64`)
  }
  const binary = atob(clean.replace(/-/g, '+').replace(/_/g, '/'))
  return Uint8Array.from(binary, ch => ch.charCodeAt(0))
}

/** Parameters from the query and, when there is one, a JSON object body (the body wins), validated. */
export async function parseParams<S extends z.ZodType> (c: Context<ApiEnv>, schema: S): Promise<z.output<S>> {
  const fromBody = isJson(c) ? await readJson(c) : {}
  if (fromBody == null || typeof fromBody !== 'object' || Array.isArray(fromBody)) throw new InvalidRequestError('the JSON body must be an object')
  return parseWith(schema, { ...c.req.query(), ...fromBody }, 'request')
}
