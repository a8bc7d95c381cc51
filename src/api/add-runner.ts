/**
 * What every face's `add` shares: the add itself with its placement in MFS,
 * its cache notes and its announcement, and a reply that streams progress
 * while the add runs after the response has started. The faces differ only
 * in how they read the request and how they write each line.
 */
import { addContent } from '../node/models/ipfs/add.ts'
import { provideInBackground } from '../node/models/network/dht.ts'
import type { ApiDeps } from './env.ts'
import type { CidCache } from '../node/cache/cid-cache.ts'
import type { AddContentOptions, AddEntry, AddProgress, AddResult } from '../node/models/ipfs/add.ts'

export interface AddRequest {
  entries: AsyncIterable<AddEntry> | Iterable<AddEntry>
  options: AddContentOptions & { filename?: string, toFiles?: string }
  /**
   * The options as they stand once every entry has been read, for a request
   * whose later parts may still set some (a form's fields after its files);
   * called then with the entries' paths. It settles whether to wrap, too.
   */
  settle?(paths: string[]): Pick<AddRequest['options'], 'pin' | 'name' | 'wrapWithDirectory' | 'toFiles'>
}

export interface Placed extends AddResult { placedAt?: string }

export interface PlaceOptions {
  signal: AbortSignal
  onProgress?: AddContentOptions['onProgress']
  /**
   * Take a share of the repo lock: only for an add that outlives its handler.
   * A handler already holds one, and taking a second inside it could wait on
   * a collection that itself waits for the first.
   */
  holdLock: boolean
}

/**
 * Adds, then (with `toFiles`) copies the result into MFS, both under one
 * shared hold of the repo lock, so a garbage collection cannot take the new
 * blocks in between; then notes the result in the cache and announces it.
 * An only-hash add stored nothing, so it is neither noted nor announced.
 */
export async function addAndPlace (deps: ApiDeps, request: AddRequest, options: PlaceOptions): Promise<Placed> {
  const { helia, cache, mfs, repoLock } = deps.node
  const { holdLock, ...addOptions } = options
  const components = { blockstore: deps.node.blockstore, datastore: helia.datastore, pins: helia.pins, getCodec: helia.getCodec }
  const run = async (): Promise<Placed> => {
    let { toFiles } = request.options
    const settle = request.settle == null
      ? {}
      : {
          settle: (paths: string[]) => {
            const settled = request.settle!(paths)
            toFiles = settled.toFiles
            return settled
          }
        }
    const result = await addContent(components, request.entries, { ...request.options, ...addOptions, ...settle })
    if (toFiles == null || request.options.onlyHash === true) return result
    // a cancel that came while the add finished still keeps an unpinned result out of the files
    // (a pinned one is the add's result already: a cancel came too late for it)
    if (!result.pinned) addOptions.signal.throwIfAborted()
    const placedAt = toFiles.endsWith('/') ? `${toFiles}${result.name !== '' ? result.name : result.cid.toString()}` : toFiles
    await mfs.cp(`/ipfs/${result.cid.toString()}`, placedAt, { parents: true })
    return { ...result, placedAt }
  }
  const placed = holdLock ? await repoLock.shared(run) : await run()
  if (request.options.onlyHash === true) return placed
  provideInBackground(deps.node, placed.cid)
  noteAddResult(cache, placed)
  return placed
}

function noteAddResult (cache: CidCache, result: AddResult): void {
  cache.noteAdded(result.cid, { size: result.size, filename: result.name, pinned: result.pinned, source: 'add' })
  if (result.entries.length <= 1) return
  for (const entry of result.entries) {
    if (entry.cid.equals(result.cid)) continue
    cache.noteAdded(entry.cid, { size: entry.size, filename: entry.path, source: 'add' })
  }
}

/** One file's progress: its own bytes read so far, and the whole add's. */
export interface FileProgress {
  name: string
  bytes: number
  totalBytes: number
}

export interface ProgressReplyInit<T> {
  /** Aborted when the reader cancels the body, which must stop the add. */
  stop: AbortController
  /** The add; it reports to `onProgress`, and takes its own share of the repo lock. */
  run(onProgress: (event: AddProgress) => void): Promise<T>
  progressLine(progress: FileProgress): unknown
  /** The lines that end a successful add. */
  resultLines(result: T): unknown[]
  /** The line that ends a failed add (the status is 200 by then). */
  errorLine(err: unknown): unknown
  headers: Record<string, string>
}

/** How often progress lines are sent at most; a file's last count is always sent. */
const PROGRESS_INTERVAL_MS = 100
/** How long a progress line waits for others to go with it. */
const GATHER_MS = 20
/** Progress lines a slow reader may leave unread before more are dropped (progress is lossy; the reply is not). */
const PROGRESS_QUEUE = 64

/**
 * An add that reports as it goes: the reply is NDJSON, progress lines (bytes
 * per file, as Kubo counts them) then the result's lines, or the error, last.
 * The add runs after the response has started, so `run` holds its own share
 * of the repo lock and keeps the request's deadline; it stops when the reader
 * cancels the body. Lines are queued, never awaited, so a reader that stops
 * reading cannot keep the add (or the lock) alive.
 */
export function progressReply<T> (init: ProgressReplyInit<T>): Response {
  const encoder = new TextEncoder()
  let out!: ReadableStreamDefaultController<Uint8Array>
  let open = true
  const body = new ReadableStream<Uint8Array>({
    start (controller) { out = controller },
    cancel () {
      open = false
      init.stop.abort(new DOMException('the client stopped reading the progress', 'AbortError'))
    }
  }, new CountQueuingStrategy({ highWaterMark: PROGRESS_QUEUE }))
  // lines go out together, GATHER_MS after the first of them: each chunk of a reply crosses to the
  // service worker as a message of its own, and a folder of 1000 small files, a line each, took
  // 0–130 ms longer to add with progress than without (gathered, no longer)
  let gathered = ''
  let flushing: ReturnType<typeof setTimeout> | undefined
  const flush = (): void => {
    clearTimeout(flushing)
    flushing = undefined
    if (open && gathered !== '') out.enqueue(encoder.encode(gathered))
    gathered = ''
  }
  const send = (value: unknown, lossy = false): void => {
    if (!open || (lossy && (out.desiredSize ?? 0) <= 0)) return
    gathered += `${JSON.stringify(value)}\n`
    flushing ??= setTimeout(flush, GATHER_MS)
  }
  const perFile = new Map<string, number>()
  const sent = new Map<string, number>()
  let current: string | undefined
  let sentAt = 0
  let total = 0
  /** A file's count, unless that same count went already. */
  const sendCount = (name: string, lossy = false): void => {
    const bytes = perFile.get(name) ?? 0
    if (sent.get(name) === bytes) return
    if (!lossy || (out.desiredSize ?? 0) > 0) sent.set(name, bytes)
    send(init.progressLine({ name, bytes, totalBytes: total }), lossy)
  }
  const onProgress = ({ bytes, path }: AddProgress): void => {
    const name = path ?? ''
    perFile.set(name, (perFile.get(name) ?? 0) + (bytes - total))
    total = bytes
    const now = performance.now()
    // the last count of a finished file always goes; steps within a file are rate-limited and lossy
    if (current !== undefined && current !== name) sendCount(current)
    if (current !== name || now - sentAt >= PROGRESS_INTERVAL_MS) {
      sentAt = now
      sendCount(name, true)
    }
    current = name
  }
  void (async () => {
    try {
      const result = await init.run(onProgress)
      if (current !== undefined) sendCount(current)
      for (const value of init.resultLines(result)) send(value)
    } catch (err) {
      send(init.errorLine(err))
    } finally {
      flush()
      if (open) {
        open = false
        out.close()
      }
    }
  })()
  return new Response(body, { headers: init.headers })
}
