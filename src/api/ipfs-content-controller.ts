import { z } from '@hono/zod-openapi'
import { checkAddOptions } from '../node/models/ipfs/add.ts'
import { catContent } from '../node/models/ipfs/cat.ts'
import { formatContentPath, parseContentPath } from '../node/models/ipfs/content-path.ts'
import { getContent } from '../node/models/ipfs/get.ts'
import { listDirectory } from '../node/models/ipfs/ls.ts'
import { addAndPlace, progressReply } from './add-runner.ts'
import { errorBody, ok, unixSeconds } from './envelope.ts'
import { contentReads } from './content-reads.ts'
import { fileResponse, readsFromStore } from './file-response.ts'
import { AddNotFoundError, classifyError, UnsupportedMediaTypeError } from './errors.ts'
import { readFormAdd } from './add-form.ts'
import { isMultipart } from './multipart.ts'
import { addRoute } from './route.ts'
import { cidParam, count, flag, timeoutParam } from './schemas.ts'
import { iterateStream, toReadableStream } from './streams.ts'
import { decodeBase64, isJson, parseJsonBody, parseQuery, parseWith, pathAfter, readJson } from './validate.ts'
import type { ApiDeps, ApiEnv } from './env.ts'
import type { CidCache, LookupTier } from '../node/cache/cid-cache.ts'
import type { AddRequest, Placed } from './add-runner.ts'
import type { FileHandle } from '../node/models/ipfs/cat.ts'
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'

const boolish = z.union([z.boolean(), flag])

const AddOptions = z.object({
  filename: z.string().optional(),
  pin: boolish.optional(),
  wrap_with_directory: boolish.optional(),
  cid_version: z.coerce.number().int().min(0).max(1).optional(),
  raw_leaves: boolish.optional(),
  chunker: z.string().optional().openapi({ example: 'size-262144' }),
  to_files: z.string().regex(/^\//, 'an MFS path, starting with /').optional().openapi({ description: 'Also place the result in the node\'s files (MFS) at this path, as Kubo\'s --to-files; a path ending in / receives it under its name. Done under the same repository lock as the add, so garbage collection cannot come between.', example: '/photos/' }),
  timeout: timeoutParam
})

const ProgressQuery = z.object({
  progress: boolish.optional().openapi({ description: 'Stream NDJSON: {name, bytes, total_bytes} lines while the content is imported, then the reply (or the error) as the last line' })
})

const AddJson = AddOptions.extend({
  content: z.string().openapi({ description: 'The content, as text or base64' }),
  encoding: z.enum(['utf8', 'utf-8', 'base64']).optional()
})

const ReadQuery = z.object({
  offset: count.optional(),
  length: count.optional(),
  timeout: timeoutParam
})

const CatBody = z.object({
  cid: z.string().min(1).openapi({ description: 'A CID or /ipfs/ path' }),
  offset: count.optional(),
  length: count.optional()
})

const RAW_TYPES = /^(application\/octet-stream|text\/)/i

/** What a stopped add throws: its signal's abort, as the libraries or the add's own checks raise it. */
const ABORTED = new Set(['AbortError', 'TimeoutError', 'DeadlineExceededError'])

const CancelBody = z.object({ id: z.string().min(1).openapi({ description: 'The X-Add-Id header of the add\'s progress reply' }) })

/** add, cat, get: content in and out, streamed. */
export function registerContentRoutes (app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { helia, cache } = deps.node

  addRoute(app, {
    operation: 'ipfs_add',
    method: 'post',
    path: '/ipfs/add',
    aliases: ['/ipfs/add/json', '/ipfs/add/file'],
    summary: 'Add content: JSON {content}, multipart file parts (paths make a tree), or a raw body',
    description: 'Defaults follow Helia (CIDv1, raw leaves, 1 MiB chunks); cid_version=0 follows Kubo (CIDv0, 256 KiB, dag-pb leaves), so CIDs match `ipfs add`.',
    tags: ['ipfs'],
    request: {
      query: AddOptions.extend(ProgressQuery.shape),
      body: {
        required: true,
        content: {
          'application/json': { schema: AddJson },
          'multipart/form-data': { schema: AddOptions.extend({ file: z.any().openapi({ type: 'string', format: 'binary' }) }) },
          'application/octet-stream': { schema: z.any().openapi({ type: 'string', format: 'binary' }) }
        }
      }
    }
  }, async (c) => {
    const progress = parseQuery(c, ProgressQuery).progress === true
    // a progress reply outlives its handler: the reader cancelling it stops the add too
    const stop = new AbortController()
    // the request's deadline is disarmed once a progress reply starts: the add keeps one of its own
    const signal = AbortSignal.any([c.var.signal, AbortSignal.timeout(c.var.timeoutMs), stop.signal])
    const request = await readAddRequest(c, signal)
    // options are checked before a progress reply starts, so bad input is still a 4xx, not a 200 with an error line
    await checkAddOptions(request.options)
    if (progress) return addWithProgress(c, deps, request, { signal, stop })
    const added = await addAndPlace(deps, request, { signal, holdLock: false })
    return ok(c, addReply(added))
  })

  addRoute(app, {
    operation: 'ipfs_add_cancel',
    method: 'post',
    path: '/ipfs/add/cancel',
    summary: 'Stop an add in progress (one started with progress=true), by the id its reply gave',
    description: 'Its progress reply then ends with an AddCancelledError line (status 499) if the add stopped before it was pinned or placed, or with its result if it had finished first: read on to learn which.',
    tags: ['ipfs'],
    request: { body: { required: true, content: { 'application/json': { schema: CancelBody } } } },
    // it only asks a running add to stop, and must not wait behind a garbage collection to do so
    holdsRepoLock: false
  }, async (c) => {
    const { id } = await parseJsonBody(c, CancelBody)
    if (!deps.adds.cancel(id)) throw new AddNotFoundError(`no add in progress has the id ${id}: it has ended, or never was`)
    return ok(c, { id, cancelling: true })
  })

  addRoute(app, {
    operation: 'ipfs_cat',
    method: 'get',
    path: '/ipfs/cat/{cid}',
    hiddenPaths: ['/ipfs/cat/:cid/*'],
    summary: 'The bytes of a file (sub-paths allowed), streamed; honours Range',
    tags: ['ipfs'],
    request: { params: z.object({ cid: cidParam }), query: ReadQuery }
  }, async (c) => {
    const path = parseContentPath(pathAfter(c.req.url, '/ipfs/cat/'))
    const { offset, length } = parseQuery(c, ReadQuery)
    const tier = await cache.lookup(path.cid, { signal: c.var.signal })
    const file = await catContent(helia, path, contentReads(c, deps.node))
    return notedRead(cache, tier, file, await fileResponse(c, file, formatContentPath(path), { offset, length }, readsFromStore(c, deps.node)))
  })

  addRoute(app, {
    operation: 'ipfs_cat',
    method: 'post',
    path: '/ipfs/cat',
    summary: 'The bytes of a file, given {cid, offset?, length?} as JSON',
    tags: ['ipfs'],
    request: { body: { content: { 'application/json': { schema: CatBody } } } }
  }, async (c) => {
    const body = await parseJsonBody(c, CatBody)
    const path = parseContentPath(body.cid)
    const tier = await cache.lookup(path.cid, { signal: c.var.signal })
    const file = await catContent(helia, path, contentReads(c, deps.node))
    return notedRead(cache, tier, file, await fileResponse(c, file, formatContentPath(path), { offset: body.offset, length: body.length }, readsFromStore(c, deps.node)))
  })

  addRoute(app, {
    operation: 'ipfs_ls',
    method: 'get',
    path: '/ipfs/ls/{cid}',
    hiddenPaths: ['/ipfs/ls/:cid/*'],
    summary: 'The entries of a UnixFS directory (sub-paths allowed): Objects[{Hash, Links[{Name, Hash, Size, Type}]}] as Kubo, and entries',
    tags: ['ipfs'],
    request: { params: z.object({ cid: cidParam }), query: z.object({ timeout: timeoutParam }) }
  }, async (c) => {
    const path = parseContentPath(pathAfter(c.req.url, '/ipfs/ls/'))
    const listed = await listDirectory(helia, path, contentReads(c, deps.node), deps.node.blockstore)
    const entries = listed.entries.map(e => ({ name: e.name, cid: e.cid.toString(), type: e.type, size: e.size }))
    return ok(c, {
      path: formatContentPath(path),
      cid: listed.cid.toString(),
      // Kubo's shape: Type 1 is a directory, 2 a file
      Objects: [{ Hash: formatContentPath(path), Links: entries.map(e => ({ Name: e.name, Hash: e.cid, Size: e.size, Type: e.type === 'directory' ? 1 : 2 })) }],
      entries,
      count: entries.length
    })
  })

  addRoute(app, {
    operation: 'ipfs_get',
    method: 'get',
    path: '/ipfs/get/{cid}',
    hiddenPaths: ['/ipfs/get/:cid/*'],
    summary: 'A file\'s bytes, or a directory as a tar stream',
    tags: ['ipfs'],
    request: { params: z.object({ cid: cidParam }), query: z.object({ timeout: timeoutParam }) }
  }, async (c) => {
    const path = parseContentPath(pathAfter(c.req.url, '/ipfs/get/'))
    const tier = await cache.lookup(path.cid, { signal: c.var.signal })
    const result = await getContent(helia, path, contentReads(c, deps.node))
    const ipfsPath = formatContentPath(path)
    if (result.kind === 'file') {
      const response = await fileResponse(c, result.file, ipfsPath, {})
      response.headers.set('Content-Disposition', contentDisposition(result.file.name))
      return notedRead(cache, tier, result.file, response)
    }
    cache.noteRead(result.cid, tier, { filename: result.name, mimetype: 'inode/directory', source: 'get' })
    return new Response(toReadableStream(result.content), {
      headers: {
        'Content-Type': 'application/x-tar',
        'Content-Disposition': contentDisposition(`${result.name}.tar`),
        'X-IPFS-Path': ipfsPath,
        ...cacheHeaders(tier)
      }
    })
  })
}

/**
 * The MCP face of a progress reply: `{name, bytes, total_bytes}` lines, then
 * the add's own reply, or its error envelope with its `status`, as the last line.
 */
function addWithProgress (c: Context<ApiEnv>, deps: ApiDeps, request: AddRequest, { signal, stop }: { signal: AbortSignal, stop: AbortController }): Response {
  const operation = c.var.operation
  const running = deps.adds.start(stop)
  return progressReply<Placed>({
    stop,
    run: async (onProgress) => {
      try {
        return await addAndPlace(deps, request, { signal, onProgress, holdLock: true })
      } finally {
        running.done()
      }
    },
    progressLine: ({ name, bytes, totalBytes }) => ({ name, bytes, total_bytes: totalBytes }),
    resultLines: (added) => [{ success: true, operation, timestamp: unixSeconds(), ...addReply(added) }],
    errorLine: (err) => {
      // the add reports a cancel as its signal's abort (an AbortError, or the deadline error it
      // makes of one): the cancel's reason says why; any other failure (a store that failed, say)
      // is reported as itself
      const cancelled = stop.signal.aborted && (err === stop.signal.reason || ABORTED.has((err as Error)?.name))
      const classified = classifyError(cancelled ? stop.signal.reason : err)
      return { ...errorBody(operation, classified), status: classified.status }
    },
    // the id to cancel it by (POST /ipfs/add/cancel), reading on to its last line
    headers: { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store', 'X-Add-Id': running.id }
  })
}

/**
 * Reads an add request in any of its three shapes into entries and options.
 * Options may be given in the query (as Kubo's clients send them) whatever
 * the body; a JSON body's or a form's own fields take precedence.
 */
async function readAddRequest (c: Context<ApiEnv>, signal: AbortSignal): Promise<AddRequest> {
  const type = c.req.header('content-type') ?? ''
  const fromQuery = parseQuery(c, AddOptions)
  if (isJson(c)) {
    const body = parseWith(AddJson, await readJson(c), 'body')
    const content = body.encoding === 'base64' ? decodeBase64(body.content, 'content') : new TextEncoder().encode(body.content)
    const options = addOptions({ ...fromQuery, ...body })
    return { entries: [{ path: body.filename, content }], options }
  }
  if (isMultipart(c)) {
    return readFormAdd(c, signal, { schema: AddOptions, toOptions: addOptions })
  }
  if (type === '' || RAW_TYPES.test(type)) {
    // the body's chunks are read once, by this add alone
    const options = { ...addOptions(fromQuery), contentIsOwned: true }
    const body = c.req.raw.body
    const content = body == null ? new Uint8Array(0) : iterateStream(body, signal)
    return { entries: [{ path: options.filename, content }], options }
  }
  throw new UnsupportedMediaTypeError(`add takes application/json, multipart/form-data or a raw body (application/octet-stream, text/*), not ${type}`)
}

function addOptions (input: z.output<typeof AddOptions>): AddRequest['options'] {
  return {
    filename: input.filename,
    toFiles: input.to_files,
    name: input.filename,
    pin: input.pin,
    wrapWithDirectory: input.wrap_with_directory,
    cidVersion: input.cid_version as 0 | 1 | undefined,
    rawLeaves: input.raw_leaves,
    chunker: input.chunker
  }
}

function addReply (result: Placed): Record<string, unknown> {
  return {
    ...(result.placedAt != null ? { to_files: result.placedAt } : {}),
    cid: result.cid.toString(),
    size: result.size,
    name: result.name,
    pinned: result.pinned,
    type: result.type,
    cumulative_size: result.cumulativeSize,
    cid_version: result.cid.version,
    wrapped: result.wrapped,
    ...(result.entries.length > 1 || result.wrapped
      ? { entries: result.entries.map(e => ({ name: e.path, cid: e.cid.toString(), size: e.size, type: e.type })) }
      : {})
  }
}

/** Where the content was found, as the cache saw it before the read. */
function cacheHeaders (tier: LookupTier | undefined): Record<string, string> {
  return tier == null ? {} : { 'X-Cache-Hit': String(tier === 'memory'), 'X-Cache-Tier': tier }
}

/** Records the read in the cache (with the type the reply was given) and says where it was found. */
function notedRead (cache: CidCache, tier: LookupTier | undefined, file: FileHandle, response: Response): Response {
  if (response.ok) {
    const named = file.name !== file.cid.toString()
    cache.noteRead(file.cid, tier, {
      size: file.size,
      filename: named ? file.name : undefined,
      mimetype: response.headers.get('content-type')?.split(';')[0] ?? undefined,
      source: 'cat'
    })
  }
  for (const [name, value] of Object.entries(cacheHeaders(tier))) response.headers.set(name, value)
  return response
}

function contentDisposition (name: string): string {
  return `attachment; filename*=UTF-8''${encodeURIComponent(name)}`
}
