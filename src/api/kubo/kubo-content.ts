/**
 * Kubo's content commands: `add`, `cat`, `get`, `ls`, answered with Kubo's
 * own field names, defaults and content types over the models the MCP
 * routes use, so `kubo-rpc-client` reads them as it reads a daemon's.
 */
import { checkAddOptions } from '../../node/models/ipfs/add.ts'
import { catContent } from '../../node/models/ipfs/cat.ts'
import { resolveContentPath } from '../../node/models/network/names.ts'
import { contentReads } from '../content-reads.ts'
import { getContent } from '../../node/models/ipfs/get.ts'
import { listLinks } from '../../node/models/ipfs/ls.ts'
import { tarStream } from '../../node/models/ipfs/tar.ts'
import { InvalidParametersError } from '../../node/errors.ts'
import { addAndPlace, progressReply } from '../add-runner.ts'
import { classifyError, InvalidRequestError, UnsupportedMediaTypeError } from '../errors.ts'
import { isDirectoryType, isMultipart, partPath, requestParts } from '../multipart.ts'
import { toReadableStream } from '../streams.ts'
import { countOption, flagOption, ndjsonReply, requiredArg, requiredArgs, STREAM_HEADERS, stringOption } from './kubo-args.ts'
import type { ContentPath } from '../../node/models/ipfs/content-path.ts'
import type { ApiDeps, ApiEnv } from '../env.ts'
import type { KuboApp } from './kubo-app.ts'
import type { Placed } from '../add-runner.ts'
import type { LookupTier } from '../../node/cache/cid-cache.ts'
import type { AddContentOptions, AddEntry, AddProgress } from '../../node/models/ipfs/add.ts'
import type { FileHandle } from '../../node/models/ipfs/cat.ts'
import type { DirectoryEntry } from '../../node/models/ipfs/ls.ts'
import type { Context } from 'hono'

/** Kubo's UnixFS type numbers in `ls` (unixfs.pb Data.DataType). */
const UNIXFS_DIRECTORY = 1
const UNIXFS_FILE = 2

/** Kubo's default chunker (Import.UnixFSChunker). */
const KUBO_CHUNKER = 'size-262144'

/** Options of Kubo's `add` that would change the CIDs and that this node cannot honour: refused rather than ignored. */
const UNSUPPORTED_ADD_FLAGS = ['trickle', 'nocopy', 'inline', 'preserve-mode', 'preserve-mtime']
const UNSUPPORTED_ADD_VALUES = ['mode', 'mtime', 'max-file-links', 'max-directory-links', 'max-hamt-fanout']

export function registerKuboContent (app: KuboApp, deps: ApiDeps): void {
  const { helia, cache } = deps.node
  /** A path argument, an `/ipns/` name at its start resolved first (as Kubo takes them). */
  const contentPath = (c: Context<ApiEnv>) => async (text: string): Promise<ContentPath> =>
    resolveContentPath(deps.node.names, text, contentReads(c, deps.node))

  app.post('/add', async (c) => {
    const options = readAddOptions(c)
    await checkAddOptions(options.add)
    // a progress reply outlives its handler: the reader cancelling it stops the add too
    const stop = new AbortController()
    // the request's deadline is disarmed once a progress reply starts: the add keeps one of its own
    const signal = AbortSignal.any([c.var.signal, AbortSignal.timeout(c.var.timeoutMs), stop.signal])
    const groups = topLevelGroups(await readAddEntries(c, signal, options.emptyDirs), options.add.wrapWithDirectory === true)
    const lines = (results: Placed[]): AddEvent[] => options.silent ? [] : results.flatMap(addEvents)
    if (options.progress) {
      return progressReply<Placed[]>({
        stop,
        run: async (onProgress) => deps.node.repoLock.shared(async () => addGroups(deps, groups, options.add, signal, onProgress)),
        // Kubo leaves out a count of 0 (Bytes is omitempty)
        progressLine: ({ name, bytes }) => bytes === 0 ? { Name: name } : { Name: name, Bytes: bytes },
        resultLines: lines,
        errorLine: (err) => ({ Message: classifyError(err).error, Code: 0, Type: 'error' }),
        headers: { 'Content-Type': 'application/json', 'X-Chunked-Output': '1', 'Cache-Control': 'no-store' }
      })
    }
    return ndjsonReply(lines(await addGroups(deps, groups, options.add, c.var.signal)))
  })

  app.post('/cat', async (c) => {
    const paths = requiredArgs(c, 'ipfs-path')
    const offset = countOption(c, 'offset') ?? 0
    const length = countOption(c, 'length')
    const files: FileHandle[] = []
    for (const path of await Promise.all(paths.map(contentPath(c)))) {
      const tier = await cache.lookup(path.cid, { signal: c.var.signal })
      const file = await catContent(helia, path, contentReads(c, deps.node))
      noteRead(file, tier)
      files.push(file)
    }
    const { total, content } = concatenate(files, offset, length)
    return new Response(toReadableStream(content), {
      headers: { 'Content-Type': 'text/plain', 'X-Content-Length': String(total), ...STREAM_HEADERS }
    })
  })

  app.post('/get', async (c) => {
    const path = await contentPath(c)(requiredArg(c, 0, 'ipfs-path'))
    const archive = flagOption(c, 'archive', false)
    const compress = flagOption(c, 'compress', false)
    const level = countOption(c, 'compression-level')
    if (compress && level != null && (level < 1 || level > 9)) {
      throw new InvalidRequestError('compression-level must be between 1 and 9')
    }
    const tier = await cache.lookup(path.cid, { signal: c.var.signal })
    const result = await getContent(helia, path, contentReads(c, deps.node))
    let content: AsyncIterable<Uint8Array>
    if (result.kind === 'file') {
      noteRead(result.file, tier)
      const { content: bytes } = result.file.read()
      // Kubo gzips a lone file as it is; anything else travels as a tar, named as the path's last segment
      content = compress && !archive
        ? bytes
        : tarStream(single({ path: path.segments.at(-1) ?? path.cid.toString(), type: 'file', size: result.file.size, content: bytes }))
    } else {
      if (compress && !archive) throw new InvalidParametersError('a directory can only be compressed as an archive: add archive=true')
      content = result.content
    }
    const stream = toReadableStream(content)
    return new Response(compress ? gzip(stream) : stream, {
      headers: { 'Content-Type': compress ? 'application/gzip' : 'application/x-tar', ...STREAM_HEADERS }
    })
  })

  app.post('/ls', async (c) => {
    const paths = requiredArgs(c, 'ipfs-path')
    const stream = flagOption(c, 'stream', false)
    const objects: LsObject[] = []
    for (const path of paths) {
      const listed = await listLinks(helia, await contentPath(c)(path), contentReads(c, deps.node), deps.node.blockstore)
      // Kubo names each object by the path as it was given, and sorts a directory's links by name
      objects.push({ Hash: path, Links: listed.entries.map(lsLink).sort((a, b) => a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0) })
    }
    if (stream) {
      return ndjsonReply(objects.flatMap(o => o.Links.map(link => ({ Objects: [{ Hash: o.Hash, Links: [link] }] }))))
    }
    return c.json({ Objects: objects })
  })

  /** A read counts towards the content's heat in the cache (`tier`: where it was before the read), as the MCP routes' reads do. */
  function noteRead (file: FileHandle, tier: LookupTier | undefined): void {
    cache.noteRead(file.cid, tier, { size: file.size, source: 'cat' })
  }
}

interface KuboAddOptions {
  add: AddContentOptions & { toFiles?: string }
  progress: boolean
  silent: boolean
  emptyDirs: boolean
}

/**
 * Kubo's `add` options with Kubo's defaults: CIDv0, 256 KiB chunks, dag-pb
 * leaves (raw leaves from CIDv1 on), pinned; and Kubo's layout for either
 * version, so the CIDs are those `ipfs add` gives. `quiet` and `quieter`
 * change only the CLI's text, so they are accepted and change nothing here.
 */
function readAddOptions (c: Context<ApiEnv>): KuboAddOptions {
  const version = countOption(c, 'cid-version') ?? 0
  if (version > 1) throw new InvalidRequestError(`cid-version must be 0 or 1, not ${version}`)
  const cidVersion = version as 0 | 1
  const hash = stringOption(c, 'hash')
  if (hash != null && hash.toLowerCase() !== 'sha2-256') {
    throw new InvalidParametersError(`hash "${hash}" is not supported by add here: only sha2-256`)
  }
  for (const name of UNSUPPORTED_ADD_FLAGS) {
    if (flagOption(c, name, false)) throw new InvalidParametersError(`option "${name}" is not supported by this node`)
  }
  for (const name of UNSUPPORTED_ADD_VALUES) {
    if (stringOption(c, name) != null) throw new InvalidParametersError(`option "${name}" is not supported by this node`)
  }
  const onlyHash = flagOption(c, 'only-hash', false)
  const pin = flagOption(c, 'pin', true) && !onlyHash
  const pinName = stringOption(c, 'pin-name')
  if (pinName != null && !pin) throw new InvalidRequestError('pin-name requires pin to be true')
  const wrapWithDirectory = flagOption(c, 'wrap-with-directory', false)
  const toFiles = stringOption(c, 'to-files')
  if (toFiles != null) {
    if (onlyHash) throw new InvalidRequestError('only-hash and to-files cannot be used together')
    if (wrapWithDirectory) throw new InvalidRequestError('wrap-with-directory and to-files cannot be used together')
    if (!toFiles.startsWith('/')) throw new InvalidRequestError(`to-files must be an MFS path starting with /, not "${toFiles}"`)
  }
  return {
    add: {
      cidVersion,
      rawLeaves: flagOption(c, 'raw-leaves', cidVersion === 1),
      chunker: stringOption(c, 'chunker') ?? KUBO_CHUNKER,
      profile: 'unixfs-v0-2015',
      wrapWithDirectory,
      pin,
      name: pinName,
      onlyHash,
      toFiles
    },
    progress: flagOption(c, 'progress', false),
    silent: flagOption(c, 'silent', false),
    emptyDirs: flagOption(c, 'empty-dirs', true)
  }
}

/**
 * The multipart parts as they arrive: files, and directories
 * (`application/x-directory`) kept even when empty. The first is read before
 * this returns (a body with none is a 400, before any reply); each entry's
 * content must be read before the next entry is asked for.
 */
async function readAddEntries (c: Context<ApiEnv>, signal: AbortSignal, emptyDirs: boolean): Promise<AsyncIterator<AddEntry>> {
  if (!isMultipart(c)) {
    throw new UnsupportedMediaTypeError(`add takes a multipart/form-data body, not ${c.req.header('content-type') ?? 'none'}`)
  }
  const entries = (async function * (): AsyncGenerator<AddEntry> {
    for await (const part of requestParts(c, signal)) {
      // Kubo reads every part as a file: a text field is one without a name
      const path = partPath(part.filename ?? '')
      if (!isDirectoryType(part.type)) {
        yield { path, content: part.content }
      } else if (emptyDirs && path !== '') {
        yield { path }
      }
    }
  })()
  const first = await entries.next()
  if (first.done === true) throw new InvalidRequestError('argument "path" is required: the body has no file part')
  return withFirst(first.value, entries)
}

/** `iterator` with `first` (taken from it already) put back in front. */
function withFirst<T> (first: T, iterator: AsyncIterator<T>): AsyncIterator<T> {
  let given = false
  return {
    async next () {
      if (given) return iterator.next()
      given = true
      return { value: first, done: false }
    },
    async return () {
      await iterator.return?.()
      return { value: undefined, done: true }
    }
  }
}

/**
 * Kubo adds each top-level entry of a request on its own (its own root, its
 * own pin); wrapping puts them all under one directory instead. Groups are
 * made as the entries arrive, a group running on while entries share its
 * top-level name (Kubo's clients send a directory's entries together: one
 * whose name came earlier, with another between, is a root of its own);
 * each must be read to its end before the next is asked for.
 */
async function * topLevelGroups (entries: AsyncIterator<AddEntry>, wrap: boolean): AsyncGenerator<AsyncIterable<AddEntry>> {
  try {
    let head = await entries.next()
    while (head.done !== true) {
      const first = head.value
      const top = topOf(first)
      const group = async function * (): AsyncGenerator<AddEntry> {
        yield first
        for (;;) {
          head = await entries.next()
          if (head.done === true || !(wrap || (top !== '' && topOf(head.value) === top))) return
          yield head.value
        }
      }
      yield group()
    }
  } finally {
    // an add that failed stops the body's reading
    await entries.return?.()
  }
}

function topOf (entry: AddEntry): string {
  return (entry.path ?? '').split('/')[0]
}

async function addGroups (deps: ApiDeps, groups: AsyncIterable<AsyncIterable<AddEntry>>, options: KuboAddOptions['add'], signal: AbortSignal, onProgress?: (event: AddProgress) => void): Promise<Placed[]> {
  const results: Placed[] = []
  // progress counts bytes over the whole request; each add counts from 0
  let before = 0
  for await (const entries of groups) {
    let read = 0
    const report = onProgress == null
      ? undefined
      : (event: AddProgress) => {
          read = event.bytes
          onProgress({ bytes: before + event.bytes, path: event.path })
        }
    results.push(await addAndPlace(deps, { entries, options: { ...options, entriesInOrder: true, contentIsOwned: true } }, { signal, onProgress: report, holdLock: false }))
    before += read
  }
  return results
}

interface AddEvent { Name: string, Hash: string, Size: string }

/** One line per file and directory, the root last; Size is the DAG's cumulative size, as a string. */
function addEvents (result: Placed): AddEvent[] {
  return result.entries.map(entry => ({
    // an unnamed file is named by its CID; a wrapping directory has no name
    Name: entry.path !== '' || result.wrapped ? entry.path : entry.cid.toString(),
    Hash: entry.cid.toString(),
    Size: String(entry.cumulativeSize)
  }))
}

/** Kubo's `offset` runs across the files in turn and `length` caps the total. */
function concatenate (files: FileHandle[], offset: number, length: number | undefined): { total: number, content: AsyncIterable<Uint8Array> } {
  const reads: Array<AsyncIterable<Uint8Array>> = []
  let skip = offset
  let remaining = length ?? Infinity
  let total = 0
  for (const file of files) {
    if (remaining <= 0) break
    if (skip >= file.size) {
      skip -= file.size
      continue
    }
    const take = Math.min(file.size - skip, remaining)
    reads.push(file.read({ offset: skip, length: take }).content)
    total += take
    remaining -= take
    skip = 0
  }
  return {
    total,
    content: (async function * () {
      for (const read of reads) yield * read
    })()
  }
}

function gzip (stream: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const compression = new CompressionStream('gzip')
  // it takes any BufferSource, of which a Uint8Array is one
  return stream.pipeThrough({ writable: compression.writable as WritableStream<Uint8Array>, readable: compression.readable })
}

async function * single<T> (value: T): AsyncGenerator<T> {
  yield value
}

interface LsLink { Name: string, Hash: string, Size: number, Type: number, Target: string }
interface LsObject { Hash: string, Links: LsLink[] }

function lsLink (entry: DirectoryEntry): LsLink {
  return {
    Name: entry.name,
    Hash: entry.cid.toString(),
    Size: entry.size,
    Type: entry.type === 'directory' ? UNIXFS_DIRECTORY : UNIXFS_FILE,
    Target: ''
  }
}
