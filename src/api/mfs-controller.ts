import { z } from '@hono/zod-openapi'
import { ok } from './envelope.ts'
import { fileResponse, readsFromStore } from './file-response.ts'
import { UnsupportedMediaTypeError } from './errors.ts'
import { fileParts, isMultipart, readForm } from './multipart.ts'
import { addRoute } from './route.ts'
import { count, flag, timeoutParam } from './schemas.ts'
import { iterateStream } from './streams.ts'
import { decodeBase64, isJson, parseParams, parseWith } from './validate.ts'
import type { ApiDeps, ApiEnv } from './env.ts'
import type { MfsEntry } from '../node/models/mfs/mfs.ts'
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'

const boolish = z.union([z.boolean(), flag])
const mfsPath = z.string().min(1).openapi({ example: '/photos/2026/cat.jpg' })
const octalMode = z.union([z.number().int(), z.string().regex(/^0?[0-7]{3,4}$/)]).transform(v => typeof v === 'number' ? v : parseInt(v, 8))

const PathParams = z.object({ path: mfsPath.default('/'), long: boolish.optional(), timeout: timeoutParam })
const ReadParams = z.object({ path: mfsPath, offset: count.optional(), count: count.optional(), timeout: timeoutParam })
const MkdirParams = z.object({ path: mfsPath, parents: boolish.optional(), mode: octalMode.optional() })
const WriteParams = z.object({
  path: mfsPath,
  create: boolish.optional().openapi({ description: 'Create the file if missing (default true)' }),
  truncate: boolish.optional().openapi({ description: 'Drop what the file held past the new content (default true when no offset is given)' }),
  offset: count.optional(),
  count: count.optional(),
  parents: boolish.optional(),
  timeout: timeoutParam
})
const WriteJson = WriteParams.extend({ content: z.string(), encoding: z.enum(['utf8', 'utf-8', 'base64']).optional() })
const RmParams = z.object({ path: mfsPath, recursive: boolish.optional(), force: boolish.optional() })
const CopyParams = z.object({ source: z.string().min(1).openapi({ description: 'An MFS path, or /ipfs/<cid>[/path] for cp' }), destination: mfsPath, parents: boolish.optional() })
const FlushParams = z.object({ path: mfsPath.default('/') })
const ChmodParams = z.object({ path: mfsPath, mode: octalMode.openapi({ description: 'Octal string ("644") or number' }) })
const TouchParams = z.object({ path: mfsPath, mtime: z.coerce.number().int().nonnegative().optional().openapi({ description: 'Unix seconds (default now)' }) })

function entryJson (e: MfsEntry): Record<string, unknown> {
  return {
    Name: e.name,
    Type: e.type === 'directory' ? 1 : 0,
    Size: e.size,
    Hash: e.cid.toString(),
    name: e.name,
    type: e.type,
    size: e.size,
    cid: e.cid.toString(),
    mode: e.mode != null ? e.mode.toString(8) : null,
    mtime: e.mtime ?? null
  }
}

/** The mutable file system: /ipfs/files/*. */
export function registerMfsRoutes (app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { mfs } = deps.node
  const tags = ['mfs']
  const root = (): Record<string, string> => ({ root_cid: mfs.root().toString() })

  for (const method of ['get', 'post'] as const) {
    addRoute(app, { operation: 'files_ls', method, path: '/ipfs/files/ls', summary: 'List a directory: Entries of {Name, Type (0 file, 1 dir), Size, Hash}', tags, request: { query: PathParams } }, async (c) => {
      const { path } = await parseParams(c, PathParams)
      const entries = (await mfs.ls(path)).map(entryJson)
      return ok(c, { path, Entries: entries, entries, count: entries.length })
    })
    addRoute(app, { operation: 'files_stat', method, path: '/ipfs/files/stat', summary: 'Hash, Size, CumulativeSize, Blocks and Type of a path', tags, request: { query: PathParams } }, async (c) => {
      const { path } = await parseParams(c, PathParams)
      const st = await mfs.stat(path)
      return ok(c, {
        path: st.path,
        Hash: st.cid.toString(),
        Size: st.size,
        CumulativeSize: st.cumulativeSize,
        Blocks: st.blocks,
        Type: st.type,
        cid: st.cid.toString(),
        mode: st.mode != null ? st.mode.toString(8) : null,
        mtime: st.mtime ?? null
      })
    })
    addRoute(app, { operation: 'files_read', method, path: '/ipfs/files/read', summary: 'A file\'s bytes, streamed (offset, count, Range)', tags, request: { query: ReadParams } }, async (c) => {
      const p = await parseParams(c, ReadParams)
      const file = await mfs.read(p.path)
      return fileResponse(c, file, `/ipfs/${file.cid.toString()}`, { offset: p.offset, length: p.count }, readsFromStore(c, deps.node))
    })
    addRoute(app, { operation: 'files_flush', method, path: '/ipfs/files/flush', summary: 'The CID of a path (changes are durable when acknowledged)', tags, request: { query: FlushParams } }, async (c) => {
      const { path } = await parseParams(c, FlushParams)
      return ok(c, { path, cid: (await mfs.flush(path)).toString(), flushed: true })
    })
  }

  addRoute(app, { operation: 'files_mkdir', method: 'post', path: '/ipfs/files/mkdir', summary: 'Create a directory; an existing path without parents is a 409', tags, request: { query: MkdirParams } }, async (c) => {
    const p = await parseParams(c, MkdirParams)
    await mfs.mkdir(p.path, { parents: p.parents, mode: p.mode })
    return ok(c, { path: p.path, created: true, ...root() })
  })

  addRoute(app, {
    operation: 'files_write',
    method: 'post',
    path: '/ipfs/files/write',
    summary: 'Write a file: raw body (options in the query), multipart "file", or JSON {path, content, encoding?}',
    description: 'create defaults to true; truncate defaults to true unless an offset is given.',
    tags,
    request: { query: WriteParams }
  }, async (c) => {
    const { options, content } = await readWrite(c)
    await mfs.write(options.path, content, {
      create: options.create,
      truncate: options.truncate ?? options.offset == null,
      offset: options.offset,
      count: options.count,
      parents: options.parents,
      signal: c.var.signal
    })
    const st = await mfs.stat(options.path)
    deps.node.cache.noteAdded(st.cid, { size: st.size, filename: options.path, source: 'mfs' })
    return ok(c, { path: options.path, cid: st.cid.toString(), size: st.size, ...root() })
  })

  addRoute(app, { operation: 'files_rm', method: 'post', path: '/ipfs/files/rm', summary: 'Remove a file or directory (recursive for a non-empty one); never /', tags, request: { query: RmParams } }, async (c) => {
    const p = await parseParams(c, RmParams)
    await mfs.rm(p.path, { recursive: p.recursive, force: p.force })
    return ok(c, { path: p.path, removed: true, ...root() })
  })

  addRoute(app, { operation: 'files_cp', method: 'post', path: '/ipfs/files/cp', summary: 'Copy an MFS path or /ipfs/<cid>[/path] to a destination', tags, request: { query: CopyParams } }, async (c) => {
    const p = await parseParams(c, CopyParams)
    await mfs.cp(p.source, p.destination, { parents: p.parents })
    return ok(c, { source: p.source, destination: p.destination, ...root() })
  })

  addRoute(app, { operation: 'files_mv', method: 'post', path: '/ipfs/files/mv', summary: 'Move or rename (one journaled transaction)', tags, request: { query: CopyParams } }, async (c) => {
    const p = await parseParams(c, CopyParams)
    await mfs.mv(p.source, p.destination, { parents: p.parents })
    return ok(c, { source: p.source, destination: p.destination, ...root() })
  })

  addRoute(app, { operation: 'files_chmod', method: 'post', path: '/ipfs/files/chmod', summary: 'Set the UnixFS mode', tags, request: { query: ChmodParams } }, async (c) => {
    const p = await parseParams(c, ChmodParams)
    await mfs.chmod(p.path, p.mode)
    return ok(c, { path: p.path, mode: p.mode.toString(8), ...root() })
  })

  addRoute(app, { operation: 'files_touch', method: 'post', path: '/ipfs/files/touch', summary: 'Set the mtime (creating an empty file if missing)', tags, request: { query: TouchParams } }, async (c) => {
    const p = await parseParams(c, TouchParams)
    const mtime = p.mtime ?? Math.floor(Date.now() / 1000)
    await mfs.touch(p.path, mtime)
    return ok(c, { path: p.path, mtime, ...root() })
  })
}

interface WriteRequest {
  options: z.output<typeof WriteParams>
  content: AsyncIterable<Uint8Array> | Uint8Array
}

async function readWrite (c: Context<ApiEnv>): Promise<WriteRequest> {
  const type = c.req.header('content-type') ?? ''
  if (isJson(c)) {
    const body = await parseParams(c, WriteJson)
    const content = body.encoding === 'base64' ? decodeBase64(body.content, 'content') : new TextEncoder().encode(body.content)
    return { options: body, content }
  }
  if (isMultipart(c)) {
    const parts = await readForm(c)
    const [file] = fileParts(parts, 'file', 'data')
    return { options: parseWith(WriteParams, parts.fields, 'form'), content: iterateStream(file.stream()) }
  }
  if (type === '' || /^(application\/octet-stream|text\/)/i.test(type)) {
    const body = c.req.raw.body
    return { options: parseWith(WriteParams, c.req.query(), 'query'), content: body == null ? new Uint8Array(0) : iterateStream(body) }
  }
  throw new UnsupportedMediaTypeError(`write takes a raw body (application/octet-stream, text/*), multipart/form-data or JSON, not ${type}`)
}
