/**
 * Kubo's `pin`, `block` and `dag` commands over the models the MCP routes
 * use, with Kubo's field names (`Pins`, `Keys`, `Key`/`Size`, `{"/": cid}`),
 * defaults and content types.
 */
import { base32 } from 'multiformats/bases/base32'
import { exportCar, importCar } from '../../node/models/ipfs/car.ts'
import { getBlock, MAX_BLOCK_SIZE, putBlock, removeBlock, statBlock } from '../../node/models/ipfs/blocks.ts'
import { hasherByName } from '../../node/models/ipfs/codecs.ts'
import { parseCid } from '../../node/models/ipfs/content-path.ts'
import { resolveContentPath } from '../../node/models/network/names.ts'
import { encodeDagValue, putDag, resolveDagPath } from '../../node/models/ipfs/dag.ts'
import { listPins, pinContent, unpinContent } from '../../node/models/ipfs/pins.ts'
import { resolveCid } from '../../node/models/ipfs/resolve.ts'
import { BlockTooLargeError, InvalidParametersError, NotPinnedError, PayloadTooLargeError } from '../../node/errors.ts'
import { classifyError, InvalidRequestError, UnsupportedMediaTypeError } from '../errors.ts'
import { isMultipart, readForm, requestParts } from '../multipart.ts'
import { toReadableStream } from '../streams.ts'
import { args, flagOption, ndjsonReply, requiredArg, requiredArgs, STREAM_HEADERS, stringOption } from './kubo-args.ts'
import type { ApiDeps, ApiEnv } from '../env.ts'
import type { KuboApp } from './kubo-app.ts'
import type { PinInfo, PinType } from '../../node/models/ipfs/pins.ts'
import type { Context } from 'hono'
import type { CID } from 'multiformats/cid'

const PIN_TYPES = ['all', 'recursive', 'direct', 'indirect']

export function registerKuboPinsBlocksDag (app: KuboApp, deps: ApiDeps): void {
  const { helia, cache } = deps.node
  const offline = (): boolean => !deps.node.online
  /** Every positional argument as a path (`<cid>[/a/b]`, `/ipfs/…` or `/ipns/…`) resolved to the CID it ends in; none is a 400. */
  const resolvedArgs = async (c: Context<ApiEnv>, name: string): Promise<CID[]> => {
    const cids: CID[] = []
    for (const text of requiredArgs(c, name)) {
      const path = await resolveContentPath(deps.node.names, text, { signal: c.var.signal, offline: offline() })
      cids.push(await resolveCid(helia, path, { signal: c.var.signal, offline: offline() }))
    }
    return cids
  }

  // ─── pin ───────────────────────────────────────────────────────────────

  app.post('/pin/add', async (c) => {
    const recursive = flagOption(c, 'recursive', true)
    const name = stringOption(c, 'name')
    const cids = await resolvedArgs(c, 'ipfs-path')
    for (const cid of cids) {
      await pinContent(helia, cid, { recursive, name, signal: c.var.signal, offline: offline() })
      cache.notePinned(cid, true)
    }
    return c.json({ Pins: cids.map(String) })
  })

  app.post('/pin/rm', async (c) => {
    const recursive = flagOption(c, 'recursive', true)
    const cids = await resolvedArgs(c, 'ipfs-path')
    for (const cid of cids) {
      await unpinContent(helia, cid, { recursive, signal: c.var.signal })
      cache.notePinned(cid, false)
    }
    return c.json({ Pins: cids.map(String) })
  })

  app.post('/pin/ls', async (c) => {
    const type = stringOption(c, 'type') ?? 'all'
    if (!PIN_TYPES.includes(type)) {
      throw new InvalidRequestError(`invalid type '${type}', must be one of {direct, indirect, recursive, all}`)
    }
    const stream = flagOption(c, 'stream', false)
    const nameFilter = stringOption(c, 'name')
    // a name filter implies names, as in Kubo
    const names = flagOption(c, 'names', false) || nameFilter != null
    const pins = await pinsToList(c, type as PinType | 'all', nameFilter)
    if (stream) {
      return ndjsonReply(pins.map(({ cid, pin }) => ({
        Cid: cid,
        ...(names && pin.name != null && pin.name !== '' ? { Name: pin.name } : {}),
        Type: pin.type
      })))
    }
    const keys: Record<string, { Type: string, Name: string }> = {}
    for (const { cid, pin } of pins) keys[cid] = { Type: pin.type, Name: names ? pin.name ?? '' : '' }
    return c.json({ Keys: keys })
  })

  /**
   * The pins to list: every pin of the type, or (given arguments) the pin of
   * each argument, which must be pinned as that type, in the order given.
   */
  async function pinsToList (c: Context<ApiEnv>, type: PinType | 'all', nameFilter: string | undefined): Promise<Array<{ cid: string, pin: PinInfo }>> {
    const given = args(c).filter(v => v !== '')
    const wanted = given.length === 0 ? undefined : await resolvedArgs(c, 'ipfs-path')
    const listed: Array<{ cid: string, pin: PinInfo }> = []
    const found = new Map<string, PinInfo>()
    for await (const pin of listPins(helia, { type, signal: c.var.signal })) {
      if (wanted == null) {
        if (nameFilter == null || (pin.name ?? '').includes(nameFilter)) listed.push({ cid: pin.cid.toString(), pin })
        continue
      }
      found.set(blockKey(pin.cid), pin)
      if (wanted.every(cid => found.has(blockKey(cid)))) break
    }
    if (wanted == null) return listed
    return wanted.map((cid, i) => {
      const pin = found.get(blockKey(cid))
      if (pin == null) throw new NotPinnedError(`path '${given[i]}' is not pinned`)
      return { cid: cid.toString(), pin }
    })
  }

  // ─── block ─────────────────────────────────────────────────────────────

  app.post('/block/put', async (c) => {
    const { codec, cidVersion } = blockFormat(c)
    const hash = stringOption(c, 'mhtype')
    checkHashLength(hash ?? 'sha2-256', stringOption(c, 'mhlen'))
    const pin = flagOption(c, 'pin', false)
    const lines: Array<{ Key: string, Size: number }> = []
    for (const file of await fileParts(c, 'data')) {
      if (file.size > MAX_BLOCK_SIZE) {
        throw new BlockTooLargeError(`the block is ${file.size} bytes; a block may be at most ${MAX_BLOCK_SIZE}`)
      }
      const stat = await putBlock(helia, new Uint8Array(await file.arrayBuffer()), { codec, hash, pin, cidVersion, signal: c.var.signal })
      cache.noteAdded(stat.cid, { size: stat.size, pinned: pin, source: 'block' })
      lines.push({ Key: stat.cid.toString(), Size: stat.size })
    }
    return ndjsonReply(lines)
  })

  app.post('/block/get', async (c) => {
    const [cid] = await resolvedArgs(c, 'cid')
    const bytes = await getBlock(helia, cid, { signal: c.var.signal, offline: offline() })
    return new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: { 'Content-Type': 'application/vnd.ipld.raw', 'Content-Length': String(bytes.byteLength), ...STREAM_HEADERS }
    })
  })

  app.post('/block/stat', async (c) => {
    const [cid] = await resolvedArgs(c, 'cid')
    const stat = await statBlock(helia, cid, { signal: c.var.signal, offline: offline() }, deps.node.blockstore)
    return c.json({ Key: stat.cid.toString(), Size: stat.size })
  })

  app.post('/block/rm', async (c) => {
    const cids = requiredArgs(c, 'cid').map(parseCid)
    const force = flagOption(c, 'force', false)
    const quiet = flagOption(c, 'quiet', false)
    const lines: Array<{ Hash: string, Error?: string }> = []
    for (const cid of cids) {
      try {
        await removeBlock(helia, deps.node.blockstore, cid, { force, signal: c.var.signal })
      } catch (err) {
        // each block's failure is its own line, as Kubo writes it; the others are still removed
        lines.push({ Hash: cid.toString(), Error: classifyError(err).error })
        continue
      }
      cache.forget(cacheKeys(cid))
      if (!quiet) lines.push({ Hash: cid.toString() })
    }
    return ndjsonReply(lines)
  })

  // ─── dag ───────────────────────────────────────────────────────────────

  app.post('/dag/put', async (c) => {
    const storeCodec = stringOption(c, 'store-codec') ?? 'dag-cbor'
    const inputCodec = stringOption(c, 'input-codec') ?? 'dag-json'
    const hash = stringOption(c, 'hash')
    const pin = flagOption(c, 'pin', false)
    const lines: Array<{ Cid: { '/': string } }> = []
    for (const file of await fileParts(c, 'object data')) {
      if (file.size > MAX_BLOCK_SIZE) {
        throw new PayloadTooLargeError(`the node is ${file.size} bytes; the limit is ${MAX_BLOCK_SIZE}`)
      }
      const cid = await putDag(helia, new Uint8Array(await file.arrayBuffer()), { inputCodec, storeCodec, hash, pin, signal: c.var.signal })
      cache.noteAdded(cid, { pinned: pin, source: 'dag' })
      lines.push({ Cid: { '/': cid.toString() } })
    }
    return ndjsonReply(lines)
  })

  app.post('/dag/get', async (c) => {
    const path = await resolveContentPath(deps.node.names, requiredArg(c, 0, 'ref'), { signal: c.var.signal, offline: offline() })
    const resolved = await resolveDagPath(helia, path, { signal: c.var.signal, offline: offline() })
    const { bytes } = encodeDagValue(resolved.value, stringOption(c, 'output-codec') ?? 'dag-json')
    // Kubo streams the encoded node as it streams any bytes: as text/plain
    return new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: { 'Content-Type': 'text/plain', 'Content-Length': String(bytes.byteLength), ...STREAM_HEADERS }
    })
  })

  app.post('/dag/resolve', async (c) => {
    const path = await resolveContentPath(deps.node.names, requiredArg(c, 0, 'ref'), { signal: c.var.signal, offline: offline() })
    const resolved = await resolveDagPath(helia, path, { signal: c.var.signal, offline: offline() })
    return c.json({ Cid: { '/': resolved.cid.toString() }, RemPath: resolved.remainderPath })
  })

  app.post('/dag/export', async (c) => {
    const [root] = await resolvedArgs(c, 'root')
    // the root is read first, so a CID that is not available is an error reply, not a cut-off CAR
    await statBlock(helia, root, { signal: c.var.signal, offline: offline() })
    const car = exportCar(helia, root, { signal: c.var.signal, offline: offline() })
    return new Response(toReadableStream(car), {
      headers: { 'Content-Type': 'application/vnd.ipld.car', ...STREAM_HEADERS }
    })
  })

  app.post('/dag/import', async (c) => {
    const pinRoots = flagOption(c, 'pin-roots', true)
    const stats = flagOption(c, 'stats', false)
    const roots = new Map<string, CID>()
    let blockCount = 0
    let blockBytesCount = 0
    requireMultipart(c)
    // each CAR is imported as its part arrives (multipart-parts.ts), not once the whole body is in
    let files = 0
    for await (const part of requestParts(c, c.var.signal)) {
      if (part.filename == null) continue
      files++
      const imported = await importCar(helia, part.content, { signal: c.var.signal })
      for (const root of imported.roots) roots.set(root.toString(), root)
      blockCount += imported.blocks
      blockBytesCount += imported.bytes
    }
    if (files === 0) throw new InvalidRequestError('argument "path" is required: the body has no file part')
    const lines: unknown[] = []
    if (pinRoots) {
      for (const root of roots.values()) {
        // a root whose DAG the CARs did not hold in full is reported, not fatal, as Kubo does
        let message = ''
        try {
          await pinContent(helia, root, { signal: c.var.signal, offline: true })
          cache.notePinned(root, true, { source: 'car' })
        } catch (err) {
          message = classifyError(err).error
        }
        lines.push({ Root: { Cid: { '/': root.toString() }, PinErrorMsg: message } })
      }
    }
    if (stats) lines.push({ Stats: { BlockCount: blockCount, BlockBytesCount: blockBytesCount } })
    return ndjsonReply(lines)
  })
}

/**
 * The CID options of Kubo's `block put`: `cid-codec` (raw by default, always
 * CIDv1), or the deprecated `format`, whose `v0` is the only way to a CIDv0.
 */
function blockFormat (c: Context<ApiEnv>): { codec: string, cidVersion: 0 | 1 } {
  const cidCodec = stringOption(c, 'cid-codec')
  const format = stringOption(c, 'format')
  if (format == null) return { codec: cidCodec ?? 'raw', cidVersion: 1 }
  if (cidCodec != null && cidCodec !== 'raw') {
    throw new InvalidRequestError('format (deprecated) and cid-codec cannot be used together')
  }
  return format === 'v0' ? { codec: 'dag-pb', cidVersion: 0 } : { codec: format, cidVersion: 1 }
}

/** Digest lengths in bytes, for `mhlen`; identity has none of its own. */
const HASH_LENGTHS: Record<string, number> = { 'sha2-256': 32, 'sha2-512': 64 }

/** `mhlen` may only repeat the hash's own length (-1, the default, means that length). */
function checkHashLength (hash: string, mhlen: string | undefined): void {
  const name = hasherByName(hash).name
  if (mhlen == null || mhlen === '-1') return
  const expected = HASH_LENGTHS[name]
  if (!/^\d+$/.test(mhlen) || (expected != null && Number(mhlen) !== expected)) {
    throw new InvalidParametersError(`mhlen ${mhlen} does not fit ${name}${expected != null ? ` (${expected} bytes)` : ''}`)
  }
}

/** These commands take their files as a multipart body: any other is a 415. */
function requireMultipart (c: Context<ApiEnv>): void {
  if (!isMultipart(c)) {
    throw new UnsupportedMediaTypeError(`this command takes a multipart/form-data body, not ${c.req.header('content-type') ?? 'none'}`)
  }
}

/** The file parts of a multipart body in order, whatever their field names; none is a 400 naming the argument. */
async function fileParts (c: Context<ApiEnv>, argument: string): Promise<File[]> {
  requireMultipart(c)
  const files = (await readForm(c)).parts.map(p => p.file)
  if (files.length === 0) throw new InvalidRequestError(`argument "${argument}" is required: the body has no file part`)
  return files
}

/** Pins and blocks are the same whatever the CID's version: compared by multihash. */
function blockKey (cid: CID): string {
  return base32.encode(cid.multihash.bytes)
}

/** The keys the cache may hold a block's record under (both versions of a dag-pb CID). */
function cacheKeys (cid: CID): string[] {
  const keys = [cid.toString()]
  if (cid.version === 0) keys.push(cid.toV1().toString())
  else if (cid.code === 0x70 && cid.multihash.code === 0x12) keys.push(cid.toV0().toString())
  return keys
}
