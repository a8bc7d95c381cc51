/**
 * The upload queue. Each dropped or chosen item (a file, or a folder with
 * everything under it) is one `/ipfs/add?progress=true&to_files=…` request:
 * its NDJSON lines report the bytes imported per file, and the node places
 * the result in MFS under the same lock as the add. Items run one after
 * another; the queue lives outside the page component, so uploads go on
 * while the person looks at other pages. A cancel asks the node to stop the
 * add and reads its reply to the end: the last line says whether it stopped
 * (nothing placed) or had already finished (the file is in the folder).
 */
import { signal } from '@preact/signals'
import { api, ApiError, apiUrl, errorOf } from './api-client.ts'
import type { AddReply, AddProgress, Envelope } from './api-client.ts'

export interface UploadFile { path: string, file: File, done: number }

export type UploadState = 'queued' | 'uploading' | 'cancelling' | 'done' | 'failed' | 'cancelled'

export interface Upload {
  id: number
  /** The name it gets in the destination folder. */
  name: string
  destination: string
  files: UploadFile[]
  total: number
  done: number
  state: UploadState
  startedAt?: number
  finishedAt?: number
  cid?: string
  error?: unknown
  /** It was cancelled, but the node had finished it (and placed it) first. */
  finishedFirst?: boolean
}

export interface Picked { path: string, file: File }

export const uploads = signal<Upload[]>([])
/** Bumped whenever an upload lands, so the folder it landed in can reload. */
export const landed = signal(0)
/** The last upload that ended, said for a screen reader (done, failed or cancelled). */
export const uploadNews = signal('')

interface Running {
  /** Aborts the request: only before the node has answered, when there is no add to cancel yet. */
  abort: AbortController
  /** The node's id for the add, from its reply's X-Add-Id. */
  addId?: string
  cancelRequested: boolean
}

const running = new Map<number, Running>()
let nextId = 1
let draining = false

function update (id: number, change: Partial<Upload> | ((u: Upload) => Partial<Upload>)): void {
  uploads.value = uploads.value.map(u => u.id === id ? { ...u, ...(typeof change === 'function' ? change(u) : change) } : u)
}

/** Queues picked files, one upload per top-level name (a folder's files go together). */
export function queueUploads (picked: Picked[], destination: string): void {
  const groups = new Map<string, Picked[]>()
  for (const p of picked) {
    const top = p.path.split('/')[0]
    const group = groups.get(top)
    if (group != null) group.push(p)
    else groups.set(top, [p])
  }
  const added: Upload[] = [...groups].map(([name, files]) => ({
    id: nextId++,
    name,
    destination,
    files: files.map(f => ({ path: f.path, file: f.file, done: 0 })),
    total: files.reduce((sum, f) => sum + f.file.size, 0),
    done: 0,
    state: 'queued'
  }))
  uploads.value = [...uploads.value, ...added]
  void drain()
}

export function cancelUpload (id: number): void {
  const upload = uploads.value.find(u => u.id === id)
  if (upload == null) return
  if (upload.state === 'queued') {
    update(id, { state: 'cancelled', finishedAt: Date.now() })
    return
  }
  const run = running.get(id)
  if (run == null || run.cancelRequested) return
  run.cancelRequested = true
  update(id, { state: 'cancelling' })
  if (run.addId == null) {
    // the node has not answered yet: dropping the request stops the add before it begins
    run.abort.abort()
    return
  }
  // the reply's last line tells how it ended. A 404 says the add has just ended: its reply says how.
  // If the cancel cannot be sent at all, drop the request (which stops the add too).
  api.cancelAdd(run.addId).catch((err: unknown) => {
    if (!(err instanceof ApiError && err.status === 404)) run.abort.abort()
  })
}

/** Forgets finished uploads (done, failed or cancelled). */
export function clearFinished (): void {
  uploads.value = uploads.value.filter(u => isActive(u.state))
}

export function uploadsRunning (): boolean {
  return uploads.value.some(u => isActive(u.state))
}

export function isActive (state: UploadState): boolean {
  return state === 'queued' || state === 'uploading' || state === 'cancelling'
}

async function drain (): Promise<void> {
  if (draining) return
  draining = true
  try {
    for (let next = uploads.value.find(u => u.state === 'queued'); next != null; next = uploads.value.find(u => u.state === 'queued')) {
      await runUpload(next)
    }
  } finally {
    draining = false
  }
}

async function runUpload (upload: Upload): Promise<void> {
  const run: Running = { abort: new AbortController(), cancelRequested: false }
  running.set(upload.id, run)
  update(upload.id, { state: 'uploading', startedAt: Date.now() })
  const target = `${upload.destination.replace(/\/$/, '')}/${upload.name}`
  try {
    const added = await addWithProgress(upload, target, run)
    update(upload.id, u => ({ state: 'done', cid: added.cid, done: u.total, finishedAt: Date.now(), finishedFirst: run.cancelRequested, files: u.files.map(f => ({ ...f, done: f.file.size })) }))
    uploadNews.value = run.cancelRequested
      ? `The upload of ${upload.name} had finished before it could be cancelled: it is in ${upload.destination}.`
      : `Uploaded ${upload.name} to ${upload.destination}.`
    landed.value++
  } catch (error) {
    const cancelled = run.abort.signal.aborted || (error instanceof ApiError && error.errorType === 'AddCancelledError')
    update(upload.id, { state: cancelled ? 'cancelled' : 'failed', error: cancelled ? undefined : error, finishedAt: Date.now() })
    uploadNews.value = cancelled ? `The upload of ${upload.name} was cancelled.` : `The upload of ${upload.name} failed.`
  } finally {
    running.delete(upload.id)
  }
}

/** A minute, plus a second per megabyte: the node's default 60 s deadline would cut a large upload short. */
function deadlineFor (bytes: number): string {
  return `${60 + Math.ceil(bytes / 1_000_000)}s`
}

/** Below this size on average, an upload's files go as one Blob (multipartBody); above, as a FormData. */
const SMALL_FILES = 1024 * 1024

/**
 * The files as a multipart/form-data body, one `file` part each, named by
 * its path (percent-encoded but for its slashes). Files from disk cost a
 * FormData about a millisecond each: a folder of 1000 small files took 1.9–2.0 s
 * to upload (fetch spent 370 ms of the page's time encoding the form, and
 * the request waited 600 ms more before its first byte reached the service
 * worker). Built here as one Blob of the Files themselves, it took 1.1–1.4 s.
 * But the browser reads a File inside a Blob more slowly than a FormData's
 * (a file of 64 MiB: 310 against 220–280 ms), so larger files go as a FormData.
 */
function multipartBody (files: UploadFile[], total: number): { body: Blob | FormData, contentType?: string } {
  const named = files.map(f => ({ file: f.file, name: encodeURIComponent(f.path).replaceAll('%2F', '/') }))
  if (total >= files.length * SMALL_FILES) {
    const form = new FormData()
    for (const { file, name } of named) form.append('file', file, name)
    return { body: form }
  }
  const boundary = `----mcp-upload-${crypto.randomUUID()}`
  const parts: BlobPart[] = []
  for (const { file, name } of named) {
    // the name is percent-encoded: no quote, CR or LF in it breaks the header
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: ${file.type === '' ? 'application/octet-stream' : file.type}\r\n\r\n`, file, '\r\n')
  }
  parts.push(`--${boundary}--\r\n`)
  return { body: new Blob(parts), contentType: `multipart/form-data; boundary=${boundary}` }
}

/** How often an upload's progress is shown: a line comes for each file, a thousand for a folder of a thousand. */
const PROGRESS_MS = 100

async function addWithProgress (upload: Upload, target: string, run: Running): Promise<AddReply> {
  const { body, contentType } = multipartBody(upload.files, upload.total)
  // not pinned: the node places it in MFS, which is what keeps it (as Kubo's web UI does)
  const url = apiUrl('/ipfs/add', { progress: true, pin: false, to_files: target, timeout: deadlineFor(upload.total) })
  const response = await fetch(url, { method: 'POST', body, ...(contentType != null ? { headers: { 'Content-Type': contentType } } : {}), signal: run.abort.signal })
  if (!response.ok || response.body == null) throw await errorOf(response)
  run.addId = response.headers.get('x-add-id') ?? undefined
  // progress is gathered and shown every PROGRESS_MS, not at each line: shown at each, a folder of
  // 1000 small files rendered the list 1000 times, each time copying every file's entry
  let fileBytes = new Map<string, number>()
  let total = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  const show = (): void => {
    timer = undefined
    if (fileBytes.size === 0) return
    const seen = fileBytes
    fileBytes = new Map()
    update(upload.id, u => ({ done: Math.min(u.total, total), files: u.files.map(f => seen.has(f.path) ? { ...f, done: seen.get(f.path)! } : f) }))
  }
  let last: (AddReply & Envelope & { status?: number }) | undefined
  try {
    for await (const line of ndjsonLines(response.body)) {
      const value = JSON.parse(line) as (AddProgress & { total_bytes: number }) | (AddReply & { status?: number })
      if ('success' in value) { last = value; continue }
      fileBytes.set(value.name, value.bytes)
      total = value.total_bytes
      timer ??= setTimeout(show, PROGRESS_MS)
    }
  } finally {
    clearTimeout(timer)
    show()
  }
  if (last == null) throw new ApiError(502, 'IncompleteReply', 'the add ended without a reply')
  if (!last.success) throw new ApiError(last.status ?? 500, last.error_type ?? 'Error', last.error ?? 'the add failed')
  return last
}

async function * ndjsonLines (body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>).getReader()
  let buffered = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      buffered += value
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) if (line.trim() !== '') yield line
    }
    if (buffered.trim() !== '') yield buffered
  } finally {
    // stopping early (a bad line, a cancel) cancels the reply, which stops the add on the node
    await reader.cancel().catch(() => {})
  }
}

/** Every file under a dropped item, with its path relative to the drop (folders are walked). */
export async function filesFromDrop (transfer: DataTransfer): Promise<Picked[]> {
  const entries = [...transfer.items].filter(i => i.kind === 'file').map(i => ({ entry: i.webkitGetAsEntry(), file: i.getAsFile() }))
  const picked: Picked[] = []
  for (const { entry, file } of entries) {
    if (entry != null) picked.push(...await walkEntry(entry, ''))
    else if (file != null) picked.push({ path: file.name, file })
  }
  return picked
}

async function walkEntry (entry: FileSystemEntry, prefix: string): Promise<Picked[]> {
  const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => { (entry as FileSystemFileEntry).file(resolve, reject) })
    return [{ path, file }]
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader()
  const children: FileSystemEntry[] = []
  // readEntries gives at most 100 entries a call: read until it gives none
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => { reader.readEntries(resolve, reject) })
    if (batch.length === 0) break
    children.push(...batch)
  }
  const nested = await Promise.all(children.map(async child => walkEntry(child, path)))
  return nested.flat()
}

/** Files chosen with an input: a folder input gives each file its relative path. */
export function filesFromInput (list: FileList | null): Picked[] {
  return [...(list ?? [])].map(file => ({ path: file.webkitRelativePath !== '' ? file.webkitRelativePath : file.name, file }))
}
