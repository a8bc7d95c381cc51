import 'fake-indexeddb/auto'
import { NotFoundError } from 'interface-store'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterEach, describe, expect, it } from 'vitest'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { readBlock } from '../../src/node/models/ipfs/dag-walker.ts'
import { planFileRead } from '../../src/node/models/ipfs/file-plan.ts'
import { serveBlockstore } from '../../src/node/stores/block-service.ts'
import { IDBRepoBlockstore } from '../../src/node/stores/idb-blockstore.ts'
import { WorkerBlockstore } from '../../src/node/stores/worker-blockstore.ts'
import { bytes, rawBlock, sameBytes } from './helpers.ts'
import type { MessageEndpoint } from '../../src/node/stores/block-service.ts'

/** The page's side and the worker's, joined by a MessageChannel as a worker's port would join them. */
function connect (name: string): { store: WorkerBlockstore, ports: MessagePort[] } {
  const channel = new MessageChannel()
  const inner = new IDBRepoBlockstore(name, { blobBytes: 512 })
  serveBlockstore(channel.port2 as unknown as MessageEndpoint, inner.open().then(() => inner))
  const store = new WorkerBlockstore(channel.port1 as unknown as MessageEndpoint, `indexeddb:${name}`)
  channel.port1.start()
  channel.port2.start()
  return { store, ports: [channel.port1, channel.port2] }
}

describe('WorkerBlockstore', () => {
  let n = 0
  let ports: MessagePort[] = []
  afterEach(() => { for (const p of ports) p.close() })

  it('stores, reads, lists, counts and deletes through the worker\'s store', async () => {
    const connected = connect(`worker-blocks-${++n}`)
    ports = connected.ports
    const { store } = connected
    const a = await rawBlock('alpha')
    const big = new Uint8Array(3000).map((_, i) => i & 0xff)
    const b = { cid: CID.create(1, raw.code, await sha256.digest(big)), bytes: big }
    await Promise.all([store.put(a.cid, a.bytes), store.put(b.cid, b.bytes)])
    // the caller's bytes are its own still: only a copy was handed over
    expect(a.bytes.byteLength).toBe(5)
    expect(new TextDecoder().decode(a.bytes)).toBe('alpha')
    expect(await store.has(a.cid)).toBe(true)
    expect(await readBlock(store, b.cid)).toEqual(big)
    expect(await store.stat()).toEqual({ blocks: 2, bytes: 3005 })
    const listed = []
    for await (const pair of store.getAll()) listed.push(pair.cid.multihash.bytes.join())
    expect(listed.sort()).toEqual([a.cid, b.cid].map(c => c.multihash.bytes.join()).sort())
    await store.delete(a.cid)
    expect(await store.has(a.cid)).toBe(false)
    const err = await readBlock(store, a.cid).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NotFoundError)
    expect((err as Error).message).toMatch(/not in the local store/)
    expect(await store.deleteBlocks([a.cid, b.cid])).toEqual({ blocks: 1, bytes: 3000 })
    expect(await store.stat()).toEqual({ blocks: 0, bytes: 0 })
  })

  it('sends the reads asked for in the same turn as one message, each answered as itself (a missing block fails alone)', async () => {
    const channel = new MessageChannel()
    ports = [channel.port1, channel.port2]
    const inner = new IDBRepoBlockstore(`worker-blocks-${++n}`, { blobBytes: 512 })
    serveBlockstore(channel.port2 as unknown as MessageEndpoint, inner.open().then(() => inner))
    // the page's port, counting what it sends
    const sent: string[] = []
    const counting: MessageEndpoint = {
      postMessage (message, transfer) {
        sent.push((message as { op: string }).op)
        channel.port1.postMessage(message, transfer)
      },
      addEventListener (type, listener) { channel.port1.addEventListener(type, listener) }
    }
    const store = new WorkerBlockstore(counting, 'indexeddb:counted')
    channel.port1.start()
    channel.port2.start()
    const blocks = await Promise.all(Array.from({ length: 4 }, async (_, i) => rawBlock(`asked at once ${i}`)))
    await Promise.all(blocks.map(async b => store.put(b.cid, b.bytes)))
    await store.flush()
    const missing = await rawBlock('not there')
    sent.length = 0
    const [found, absent, has, hasNot, sizes] = await Promise.allSettled([
      Promise.all(blocks.map(async b => readBlock(store, b.cid))),
      readBlock(store, missing.cid),
      store.has(blocks[2].cid),
      store.has(missing.cid),
      Promise.all([store.blockSize(blocks[1].cid), store.blockSize(missing.cid)])
    ])
    expect(sent).toEqual(['reads'])
    expect(sizes).toEqual({ status: 'fulfilled', value: [blocks[1].bytes.byteLength, undefined] })
    expect(found).toEqual({ status: 'fulfilled', value: blocks.map(b => b.bytes) })
    expect(absent.status).toBe('rejected')
    expect((absent as PromiseRejectedResult).reason).toBeInstanceOf(NotFoundError)
    expect(has).toEqual({ status: 'fulfilled', value: true })
    expect(hasNot).toEqual({ status: 'fulfilled', value: false })
    // a read alone goes as itself
    expect(await readBlock(store, blocks[3].cid)).toEqual(blocks[3].bytes)
    expect(sent).toEqual(['reads', 'get'])
  })

  it('fails every waiting and later request once its worker is gone', async () => {
    const channel = new MessageChannel()
    ports = [channel.port1, channel.port2]
    // nothing answers on port2: a worker whose script never ran
    const store = new WorkerBlockstore(channel.port1 as unknown as MessageEndpoint, 'indexeddb:gone')
    channel.port1.start()
    const waiting = store.stat()
    store.fail(new Error('the blockstore\'s worker stopped'))
    await expect(waiting).rejects.toThrow(/worker stopped/)
    const a = await rawBlock('later')
    await expect(store.put(a.cid, a.bytes)).rejects.toThrow(/worker stopped/)
  })

  it('serves a file\'s bytes itself from a plan, as a Blob of its blocks, and declines when a block is missing', async () => {
    const connected = connect(`worker-blocks-${++n}`)
    ports = connected.ports
    const { store } = connected
    const data = bytes(5000, 12)
    let root: CID | undefined
    for await (const entry of importer([{ content: data }], store, { cidVersion: 1, rawLeaves: true, chunker: fixedSize({ chunkSize: 1024 }) })) root = entry.cid
    await store.flush()
    const plan = await planFileRead(store, root!, 100, 3000)
    // IndexedDB's blocks are given as Blobs, which the browser reads itself
    const served = await store.serveFile(plan!)
    expect(served).toBeInstanceOf(Blob)
    expect(sameBytes(new Uint8Array(await (served as Blob).arrayBuffer()), data.subarray(100, 3100))).toBe(true)

    const leaf = plan!.find((s): s is { cid: CID, start: number, end: number } => 'cid' in s)!
    await store.delete(leaf.cid)
    expect(await store.serveFile(plan!)).toBeUndefined()
  })
})

