/**
 * The MCP face's multipart add, read as the body arrives: its file parts
 * are added while they are still coming in. Option fields may come before
 * the files (as the query's parameters may) or after them: the ones only
 * used once the content is in (pin, to_files, wrap_with_directory) are
 * taken from anywhere in the form; the ones that shape the import itself
 * (cid_version, raw_leaves, chunker, filename) cannot change once a file
 * has been read, so a later one that would is a 400. (The deadline is the
 * query's `timeout`, as for every route.)
 */
import { checkAddOptions } from '../node/models/ipfs/add.ts'
import { InvalidRequestError } from './errors.ts'
import { isDirectoryType, partPath, requestParts } from './multipart.ts'
import { partText } from './multipart-parts.ts'
import { iterateStream } from './streams.ts'
import { parseWith } from './validate.ts'
import type { AddRequest } from './add-runner.ts'
import type { ApiEnv } from './env.ts'
import type { StreamedPart } from './multipart-parts.ts'
import type { AddEntry } from '../node/models/ipfs/add.ts'
import type { z } from '@hono/zod-openapi'
import type { Context } from 'hono'

/** The form's parts that carry the files to add. */
const FILE_FIELDS = new Set(['file', 'files'])

/** Fields that shape the import: they must be known before the first file is read. */
const SHAPING_FIELDS = ['cid_version', 'raw_leaves', 'chunker', 'filename'] as const

/** A file given whole before it is added, so that the part after it can be read first. */
const SPOOL_PIECE_BYTES = 8 * 1024 * 1024

type Fields = Record<string, string>

/** What the face makes of the options it reads (the schema's output, as the other add shapes take it). */
export interface FormAddInit<S extends z.ZodType> {
  schema: S
  toOptions(input: z.output<S>): AddRequest['options']
}

/**
 * Reads the fields before the first file part (and the query's parameters)
 * into options, and gives the files as entries to be read in order. A form
 * with no file part is a 400 before any content is read.
 */
export async function readFormAdd<S extends z.ZodType<{ filename?: string, pin?: boolean, to_files?: string, wrap_with_directory?: boolean }>> (c: Context<ApiEnv>, signal: AbortSignal, init: FormAddInit<S>): Promise<AddRequest> {
  const parts = requestParts(c, signal)
  const fields: Fields = { ...c.req.query() }
  const late: Fields = {}
  const parse = (given: Fields): z.output<S> => parseWith(init.schema, given, 'form')

  /** The next file part; the fields before it are taken as early or late ones. */
  const nextFile = async (fieldsGo: 'early' | 'late'): Promise<StreamedPart | undefined> => {
    for (;;) {
      const next = await parts.next()
      if (next.done === true) return undefined
      const part = next.value
      if (part.filename != null) {
        // a file under another field's name is no file to add (it is passed over)
        if (FILE_FIELDS.has(part.name)) return part
        continue
      }
      const value = await partText(part)
      if (fieldsGo === 'early') fields[part.name] = value
      else takeLate(part.name, value)
    }
  }
  const takeLate = (name: string, value: string): void => {
    const before = shapedBy(parse({ ...fields, ...late }))
    const after = shapedBy(parse({ ...fields, ...late, [name]: value }))
    const shaping = SHAPING_FIELDS.find(field => field === name)
    if (shaping != null && before[shaping] !== after[shaping]) {
      throw new InvalidRequestError(`the form field "${name}" came after the files it would shape: give it before the file parts, or in the query`)
    }
    late[name] = value
  }

  let first: StreamedPart | undefined
  let early: z.output<S>
  let options: AddRequest['options']
  try {
    first = await nextFile('early')
    if (first == null) throw new InvalidRequestError('the multipart body has no "file" part')
    early = parse(fields)
    options = init.toOptions(early)
    await checkAddOptions(options)
  } catch (err) {
    // nothing will read the rest of the body
    await parts.return(undefined)
    throw err
  }

  async function * entries (): AsyncGenerator<AddEntry> {
    // an add that stops early (a failure, a cancel) stops the body's reading
    try {
      yield * fileEntries()
    } finally {
      await parts.return(undefined)
    }
  }
  async function * fileEntries (): AsyncGenerator<AddEntry> {
    let part: StreamedPart | undefined = first
    let files = 0
    while (part != null) {
      files++
      const path = partPath(part.filename ?? '')
      if (isDirectoryType(part.type)) {
        // a directory part (as Kubo's clients send one) stands for a directory, kept even when empty
        yield { path }
      } else if (files === 1 && early.filename != null) {
        // the filename names a lone file: the first is held (in Blobs) until the parts after it tell whether it is
        const held = await spooled(part.content)
        const after: StreamedPart | undefined = await nextFile('late')
        yield { path: after == null ? partPath(early.filename) : path, content: iterateStream(held.stream(), signal) }
        part = after
        continue
      } else {
        yield { path, content: part.content }
      }
      part = await nextFile('late')
    }
  }

  return {
    entries: entries(),
    // a part's chunks are the body's, read once, by this add alone
    options: { ...options, entriesInOrder: true, contentIsOwned: true },
    settle (paths) {
      const settled = parse({ ...fields, ...late })
      return {
        pin: settled.pin,
        name: settled.filename,
        toFiles: settled.to_files,
        wrapWithDirectory: settled.wrap_with_directory === true || severalRoots(paths)
      }
    }
  }
}

/**
 * What the shaping fields come to in the import, the defaults filled in
 * (the importer's profile follows the CID version): a late field that gives
 * what was in force already changes nothing.
 */
function shapedBy (options: { cid_version?: number, raw_leaves?: boolean, chunker?: string, filename?: string }): Record<(typeof SHAPING_FIELDS)[number], unknown> {
  const v0 = options.cid_version === 0
  return {
    cid_version: options.cid_version ?? 1,
    raw_leaves: options.raw_leaves ?? !v0,
    chunker: options.chunker ?? (v0 ? 'size-262144' : 'size-1048576'),
    filename: options.filename
  }
}

/** Several files that do not share one top-level directory are wrapped in one (whatever was asked), so there is a single root. */
function severalRoots (paths: string[]): boolean {
  const tops = new Set(paths.map(p => p.split('/')[0]))
  return paths.length > 1 && (tops.size > 1 || paths.every(p => !p.includes('/')))
}

/** A part's bytes, read to their end into Blobs (the browser keeps a large one on disk). */
async function spooled (content: AsyncIterable<Uint8Array>): Promise<Blob> {
  const pieces: Blob[] = []
  let chunks: Uint8Array[] = []
  let bytes = 0
  for await (const chunk of content) {
    chunks.push(chunk)
    bytes += chunk.byteLength
    if (bytes >= SPOOL_PIECE_BYTES) {
      pieces.push(new Blob(chunks as Array<Uint8Array<ArrayBuffer>>))
      chunks = []
      bytes = 0
    }
  }
  pieces.push(new Blob(chunks as Array<Uint8Array<ArrayBuffer>>))
  return new Blob(pieces)
}
