import { z } from '@hono/zod-openapi'

/** A query/form boolean: true/false/1/0/yes/no. */
export const flag = z.enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform(v => v === 'true' || v === '1' || v === 'yes' || v === '')
  .openapi({ type: 'boolean' })

/** A non-negative integer given as a string (query) or number (JSON). */
export const count = z.coerce.number().int().nonnegative()

export const timeoutParam = z.string().optional().openapi({
  description: 'Deadline in milliseconds, or with a unit (500ms, 5s, 2m). Default 60s.',
  example: '5s'
})

export const cidParam = z.string().min(1).openapi({ description: 'A CID (v0 or v1)', example: 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e' })
