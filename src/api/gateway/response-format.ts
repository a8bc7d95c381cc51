/**
 * Which kind of reply a gateway request asks for: the deserialized content
 * (a file, a directory), or one of the verifiable formats of the trustless
 * gateway spec, chosen by `?format=` or else by `Accept`.
 */
import { InvalidRequestError } from '../errors.ts'

export type ResponseFormat = 'raw' | 'car' | 'tar'

/** How much of the DAG below the path's end a CAR carries (the trustless gateway's `dag-scope`). */
export type DagScope = 'block' | 'entity' | 'all'

export const MEDIA_TYPES: Readonly<Record<ResponseFormat, string>> = {
  raw: 'application/vnd.ipld.raw',
  car: 'application/vnd.ipld.car',
  tar: 'application/x-tar'
}

const FORMAT_BY_MEDIA_TYPE = new Map<string, ResponseFormat>(
  Object.entries(MEDIA_TYPES).map(([format, type]) => [type, format as ResponseFormat])
)

/** `?format=` wins over `Accept`, as the spec says; an Accept naming nothing known means the content itself. */
export function negotiateFormat (format: string | undefined, accept: string | undefined): ResponseFormat | undefined {
  if (format != null && format !== '') {
    if (Object.hasOwn(MEDIA_TYPES, format)) return format as ResponseFormat
    throw new InvalidRequestError(`format "${format}" is not one this gateway serves: use raw, car or tar, or leave it out for the content itself`)
  }
  return formatFromAccept(accept)
}

/** The most preferred media type of `Accept` that names a format (a browser's `text/html,…` names none). */
function formatFromAccept (accept: string | undefined): ResponseFormat | undefined {
  if (accept == null) return undefined
  const ranked = accept.split(',').map((item, index) => {
    const [type, ...params] = item.split(';').map(s => s.trim().toLowerCase())
    const q = params.find(p => p.startsWith('q='))
    return { type, q: q == null ? 1 : Number(q.slice(2)), index }
  }).filter(e => FORMAT_BY_MEDIA_TYPE.has(e.type) && e.q > 0)
  ranked.sort((a, b) => (b.q - a.q) || (a.index - b.index))
  return ranked.length === 0 ? undefined : FORMAT_BY_MEDIA_TYPE.get(ranked[0].type)
}

export function parseDagScope (value: string | undefined): DagScope {
  if (value == null || value === '') return 'all'
  if (value === 'block' || value === 'entity' || value === 'all') return value
  throw new InvalidRequestError(`dag-scope "${value}" is not one of block, entity, all`)
}
