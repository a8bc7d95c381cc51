import { InvalidRequestError } from './errors.ts'
import type { ApiEnv } from './env.ts'
import type { Context } from 'hono'

export interface FormParts {
  /** Text fields, over the query's parameters (a field wins over the same query name). */
  fields: Record<string, string>
  /** File parts by field name, in order. */
  files: Map<string, File[]>
}

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
  for (const [key, value] of form.entries()) {
    if (typeof value === 'string') {
      fields[key] = value
    } else {
      files.set(key, [...(files.get(key) ?? []), value])
    }
  }
  return { fields, files }
}

/** The file parts under any of `names`; none is a 400. */
export function fileParts (parts: FormParts, ...names: string[]): File[] {
  const found = names.flatMap(n => parts.files.get(n) ?? [])
  if (found.length === 0) throw new InvalidRequestError(`the multipart body has no "${names[0]}" part`)
  return found
}
