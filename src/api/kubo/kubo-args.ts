/**
 * Kubo's RPC wire conventions: every command is a POST; positional arguments
 * are repeated `arg=` query parameters; options are kebab-case query
 * parameters (`cid-version=1`, `raw-leaves=true`, a bare `progress` is true).
 */
import { InvalidRequestError } from '../errors.ts'
import type { ApiEnv } from '../env.ts'
import type { Context } from 'hono'

/** Every `arg=` value, in order. */
export function args (c: Context<ApiEnv>): string[] {
  return c.req.queries('arg') ?? []
}

/** The `index`th positional argument; a missing one is a 400 naming it. */
export function requiredArg (c: Context<ApiEnv>, index: number, name: string): string {
  const value = args(c)[index]
  if (value == null || value === '') throw new InvalidRequestError(`argument "${name}" is required`)
  return value
}

/** Every positional argument of a command that takes one or more; none is a 400 naming it. */
export function requiredArgs (c: Context<ApiEnv>, name: string): string[] {
  const values = args(c).filter(v => v !== '')
  if (values.length === 0) throw new InvalidRequestError(`argument "${name}" is required`)
  return values
}

/** A boolean option: absent → fallback; `true`, `1` or bare → true; `false`, `0` → false; anything else is a 400. */
export function flagOption (c: Context<ApiEnv>, name: string, fallback: boolean): boolean {
  const value = c.req.query(name)
  if (value == null) return fallback
  if (value === '' || value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  throw new InvalidRequestError(`option "${name}" must be true or false, not "${value}"`)
}

export function stringOption (c: Context<ApiEnv>, name: string): string | undefined {
  const value = c.req.query(name)
  return value == null || value === '' ? undefined : value
}

/** A non-negative integer option; anything else is a 400 naming it. */
export function countOption (c: Context<ApiEnv>, name: string): number | undefined {
  const value = stringOption(c, name)
  if (value == null) return undefined
  if (!/^\d+$/.test(value)) throw new InvalidRequestError(`option "${name}" must be a non-negative integer, not "${value}"`)
  return Number(value)
}

const encoder = new TextEncoder()

/**
 * Headers of a reply that is one stream of bytes (cat, get, block/get,
 * dag/export…), as Kubo writes them beside the content type.
 */
export const STREAM_HEADERS: Readonly<Record<string, string>> = { 'X-Stream-Output': '1', 'Cache-Control': 'no-store' }

/**
 * A streaming command's reply as Kubo sends it: one JSON value per line,
 * `X-Chunked-Output: 1`. A failure after the first line cannot change the
 * status any more: it goes in the `X-Stream-Error` trailer's place, as a last
 * line `{Message, Code, Type: "error"}` that Kubo's clients raise.
 */
export function ndjsonReply (values: AsyncIterable<unknown> | Iterable<unknown>): Response {
  const iterator = (Symbol.asyncIterator in values ? values[Symbol.asyncIterator]() : (values as Iterable<unknown>)[Symbol.iterator]()) as AsyncIterator<unknown> | Iterator<unknown>
  const body = new ReadableStream<Uint8Array>({
    async pull (controller) {
      try {
        const { value, done } = await iterator.next()
        if (done === true) { controller.close(); return }
        controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`))
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err)
        controller.enqueue(encoder.encode(`${JSON.stringify({ Message: message, Code: 0, Type: 'error' })}\n`))
        controller.close()
      }
    },
    async cancel () { await iterator.return?.() }
  })
  return new Response(body, { headers: { 'Content-Type': 'application/json', 'X-Chunked-Output': '1', 'Cache-Control': 'no-store' } })
}
