/**
 * Kubo's `files/*` commands (the mutable file system) over the same Mfs model
 * the MCP routes at `/ipfs/files/*` call. Kubo's defaults apply where they
 * differ from the MCP face's: a write neither creates nor truncates unless
 * asked, and a listing is short unless `long` is given.
 */
import { InvalidRequestError } from '../errors.ts'
import { requestParts } from '../multipart.ts'
import { peek, toReadableStream } from '../streams.ts'
import { InvalidParametersError } from '../../node/errors.ts'
import { args, countOption, flagOption, requiredArg, stringOption } from './kubo-args.ts'
import type { ApiDeps, ApiEnv } from '../env.ts'
import type { KuboApp } from './kubo-app.ts'
import type { MfsEntry, MfsStat } from '../../node/models/mfs/mfs.ts'
import type { StreamedPart } from '../multipart-parts.ts'
import type { Context } from 'hono'

/** What ipfs-unixfs reports for a node that stores no mode; Kubo shows a mode only when one is stored. */
const DEFAULT_FILE_MODE = 0o644
const DEFAULT_DIRECTORY_MODE = 0o755

/** One entry of `files/ls`, as boxo's mfs.NodeListing marshals it: Type 0 file, 1 directory. */
interface NodeListing {
  Name: string
  Type: number
  Size: number
  Hash: string
}

/** `files/stat`'s reply, as Kubo's statOutput marshals it (Mode and Mtime only when stored). */
interface StatOutput {
  Hash: string
  Size: number
  CumulativeSize: number
  Blocks: number
  Type: 'file' | 'directory'
  Mode?: string
  Mtime?: number
}

function listing (entry: MfsEntry, long: boolean): NodeListing {
  // a short listing carries names only, the other fields at their zero values, as Kubo's does
  if (!long) return { Name: entry.name, Type: 0, Size: 0, Hash: '' }
  return { Name: entry.name, Type: entry.type === 'directory' ? 1 : 0, Size: entry.size, Hash: entry.cid.toString() }
}

function statOutput (st: MfsStat): StatOutput {
  const out: StatOutput = { Hash: st.cid.toString(), Size: st.size, CumulativeSize: st.cumulativeSize, Blocks: st.blocks, Type: st.type }
  const defaultMode = st.type === 'directory' ? DEFAULT_DIRECTORY_MODE : DEFAULT_FILE_MODE
  if (st.mode != null && st.mode !== defaultMode) out.Mode = st.mode.toString(8).padStart(4, '0')
  if (st.mtime != null && st.mtime > 0) out.Mtime = st.mtime
  return out
}

/** Kubo answers a command that has nothing to say with 200 and no body; kubo-rpc-client's files.rm treats any body as an error. */
function emptyReply (c: Context<ApiEnv>): Response {
  return c.body(null, 200)
}

/** An octal mode option (`0644`, `755`); anything else is a 400. */
function modeOption (c: Context<ApiEnv>): number | undefined {
  const value = stringOption(c, 'mode')
  if (value == null) return undefined
  if (!/^0?[0-7]{3,4}$/.test(value)) throw new InvalidRequestError(`option "mode" must be an octal mode like 0644, not "${value}"`)
  return parseInt(value, 8)
}

/**
 * The CID settings a change may name. The model writes CIDv1 nodes hashed
 * with sha2-256 (and raw leaves); a request for anything else is refused
 * rather than answered with CIDs it did not ask for.
 */
function refuseOtherCidSettings (c: Context<ApiEnv>, options: { rawLeaves: boolean }): void {
  const cidVersion = stringOption(c, 'cid-version')
  if (cidVersion != null && cidVersion !== '1') throw new InvalidParametersError(`this node writes MFS nodes with CIDv1 only, not cid-version=${cidVersion}`)
  const hash = stringOption(c, 'hash')
  if (hash != null && hash !== 'sha2-256') throw new InvalidParametersError(`this node writes MFS nodes hashed with sha2-256 only, not ${hash}`)
  if (options.rawLeaves && !flagOption(c, 'raw-leaves', true)) throw new InvalidParametersError('this node writes MFS files with raw leaves only (raw-leaves=false is not supported)')
}

/**
 * The content of a write: the first file part of the multipart body, whatever
 * its field name (kubo-rpc-client names it `file`, or `file?mode=…` when it
 * sends metadata), as Kubo takes its one file argument.
 */
async function writtenContent (c: Context<ApiEnv>): Promise<AsyncIterable<Uint8Array>> {
  if (!/^multipart\/form-data/i.test(c.req.header('content-type') ?? '')) {
    throw new InvalidRequestError('files/write takes the content as a multipart/form-data file part')
  }
  // the body is read as it arrives (multipart-parts.ts): the write starts with its first bytes
  const parts = requestParts(c, c.var.signal)
  let file: StreamedPart | undefined
  try {
    for (let next = await parts.next(); next.done !== true; next = await parts.next()) {
      if (next.value.filename == null) continue
      file = next.value
      break
    }
  } catch (err) {
    await parts.return(undefined)
    throw err
  }
  if (file == null) throw new InvalidRequestError('file argument "data" is required: the multipart body has no file part')
  const content = file.content
  return (async function * () {
    try {
      yield * content
      // what follows the one file Kubo takes is read to the body's end, and not used
      for (let next = await parts.next(); next.done !== true; next = await parts.next()) {}
    } finally {
      await parts.return(undefined)
    }
  })()
}

/** Every positional argument but the last are sources, the last is the destination. */
function sourcesAndDestination (c: Context<ApiEnv>): { sources: string[], destination: string } {
  const all = args(c).filter(a => a !== '')
  requiredArg(c, 0, 'source')
  if (all.length < 2) throw new InvalidRequestError('argument "dest" is required')
  return { sources: all.slice(0, -1), destination: all[all.length - 1] }
}

export function registerKuboFiles (app: KuboApp, deps: ApiDeps): void {
  const { mfs } = deps.node

  app.post('/files/ls', async (c) => {
    const path = args(c)[0] ?? '/'
    const long = flagOption(c, 'long', false)
    // U (unsorted) changes only Kubo's text output: its JSON is in directory order either way
    flagOption(c, 'U', false)
    const entries = await mfs.ls(path === '' ? '/' : path)
    return c.json({ Entries: entries.map(e => listing(e, long)) })
  })

  app.post('/files/stat', async (c) => {
    const path = requiredArg(c, 0, 'path')
    if (flagOption(c, 'with-local', false)) {
      throw new InvalidParametersError('with-local is not supported: this node does not measure how much of a DAG is local')
    }
    return c.json(statOutput(await mfs.stat(path)))
  })

  app.post('/files/read', async (c) => {
    const path = requiredArg(c, 0, 'path')
    const offset = countOption(c, 'offset') ?? 0
    const count = countOption(c, 'count')
    const file = await mfs.read(path)
    const headers = { 'Content-Type': 'text/plain', 'X-Stream-Output': '1' }
    // Kubo reads nothing, without an error, from exactly the end of a file
    if (offset > 0 && offset === file.size) return new Response(null, { status: 200, headers })
    const { content } = file.read({ offset, length: count })
    // the first chunk is read before the status is sent, so a missing block is an error reply, not a cut stream
    const { all } = await peek(content)
    return new Response(toReadableStream(all), { status: 200, headers })
  })

  app.post('/files/write', async (c) => {
    const path = requiredArg(c, 0, 'path')
    const offset = countOption(c, 'offset')
    const count = countOption(c, 'count')
    const create = flagOption(c, 'create', false)
    const parents = flagOption(c, 'parents', false)
    const truncate = flagOption(c, 'truncate', false)
    refuseOtherCidSettings(c, { rawLeaves: true })
    const content = await writtenContent(c)
    await mfs.write(path, content, { create, parents, truncate, offset, count, signal: c.var.signal })
    // as the MCP write does: the cache keeps a record of what MFS now holds
    const st = await mfs.stat(path)
    deps.node.cache.noteAdded(st.cid, { size: st.size, filename: path, source: 'mfs' })
    return emptyReply(c)
  })

  app.post('/files/mkdir', async (c) => {
    const path = requiredArg(c, 0, 'path')
    const parents = flagOption(c, 'parents', false)
    const mode = modeOption(c)
    const mtime = countOption(c, 'mtime')
    refuseOtherCidSettings(c, { rawLeaves: false })
    await mfs.mkdir(path, { parents, mode, mtime: mtime != null ? { secs: BigInt(mtime) } : undefined })
    return emptyReply(c)
  })

  app.post('/files/rm', async (c) => {
    const paths = args(c).filter(a => a !== '')
    requiredArg(c, 0, 'path')
    const force = flagOption(c, 'force', false)
    // Kubo's force removes whatever is there, so it implies recursive for directories
    const recursive = flagOption(c, 'recursive', false) || force
    for (const path of paths) await mfs.rm(path, { recursive, force })
    return emptyReply(c)
  })

  app.post('/files/cp', async (c) => {
    const { sources, destination } = sourcesAndDestination(c)
    const parents = flagOption(c, 'parents', false)
    const force = flagOption(c, 'force', false)
    // Kubo's force replaces a file at the destination (never a directory), in the same transaction as the copy
    for (const source of sources) await mfs.cp(source, destination, { parents, overwrite: force && sources.length === 1 })
    return emptyReply(c)
  })

  app.post('/files/mv', async (c) => {
    const { sources, destination } = sourcesAndDestination(c)
    const parents = flagOption(c, 'parents', false)
    for (const source of sources) await mfs.mv(source, destination, { parents })
    return emptyReply(c)
  })

  app.post('/files/flush', async (c) => {
    const path = args(c)[0] ?? '/'
    return c.json({ Cid: (await mfs.flush(path === '' ? '/' : path)).toString() })
  })
}
