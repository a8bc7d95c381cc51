import { InvalidRequestError } from './errors.ts'
import { boundaryOf, streamParts } from './multipart-parts.ts'
import type { StreamedPart } from './multipart-parts.ts'
import type { ApiEnv } from './env.ts'
import type { Context } from 'hono'

export interface FormParts {
  /** Text fields, over the query's parameters (a field wins over the same query name). */
  fields: Record<string, string>
  /** File parts by field name, in order. */
  files: Map<string, File[]>
  /**
   * Every part in the order it came, whatever its field name (Kubo's clients
   * number them: file, file-1, dir-2…), a text part as an unnamed file: Kubo
   * reads every part of a command's body as a file.
   */
  parts: Array<{ field: string, file: File }>
}

/** The content type Kubo's clients give a part that stands for a directory (its content is empty). */
const DIRECTORY_PART = 'application/x-directory'

export function isMultipart (c: Context<ApiEnv>): boolean {
  return /^multipart\/form-data/i.test(c.req.header('content-type') ?? '')
}

/** Reads a multipart body; an unreadable one is a 400. */
export async function readForm (c: Context<ApiEnv>): Promise<FormParts> {
  let form: FormData
  try {
    form = await c.req.raw.formData()
  } catch (err) {
    throw new InvalidRequestError(`the multipart body could not be read: ${(err as Error).message}`)
  }
  const fields: Record<string, string> = { ...c.req.query() }
  const files = new Map<string, File[]>()
  const parts: FormParts['parts'] = []
  for (const [key, value] of form.entries()) {
    if (typeof value === 'string') {
      fields[key] = value
      parts.push({ field: key, file: new File([value], '', { type: 'text/plain' }) })
    } else {
      files.set(key, [...(files.get(key) ?? []), value])
      parts.push({ field: key, file: value })
    }
  }
  return { fields, files, parts }
}

/** True for a part's Content-Type that says it names a directory. */
export function isDirectoryType (type: string): boolean {
  return type.split(';')[0].trim().toLowerCase() === DIRECTORY_PART
}

/**
 * A multipart body's parts, read as they arrive (multipart-parts.ts); an
 * abort ends the reading. The body is taken when the first part is asked
 * for: a handler asks before it replies, so a progress reply has claimed it.
 */
export function requestParts (c: Context<ApiEnv>, signal: AbortSignal): AsyncGenerator<StreamedPart> {
  const boundary = boundaryOf(c.req.header('content-type') ?? '')
  const body = c.req.raw.body ?? new ReadableStream<Uint8Array>({ start (controller) { controller.close() } })
  return streamParts(body, boundary, signal)
}

/** A part's file name as a relative path: URL-decoded (Kubo's clients encode it), with no `..` and no empty or `.` segments. */
export function partPath (name: string): string {
  let decoded = name
  try { decoded = decodeURIComponent(name) } catch {}
  const segments = decoded.split('/').filter(s => s !== '' && s !== '.')
  if (segments.includes('..')) {
    throw new InvalidRequestError(`file name "${name}" may not contain ".."`)
  }
  return segments.join('/')
}

/** The file parts under any of `names`; none is a 400. */
export function fileParts (parts: FormParts, ...names: string[]): File[] {
  const found = names.flatMap(n => parts.files.get(n) ?? [])
  if (found.length === 0) throw new InvalidRequestError(`the multipart body has no "${names[0]}" part`)
  return found
}
