import 'fake-indexeddb/auto'
import { MemoryBlockstore } from 'blockstore-core'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { afterEach, describe, expect, it } from 'vitest'
import { addContent } from '../../src/node/models/ipfs/add.ts'
import { readBlock } from '../../src/node/models/ipfs/dag-walker.ts'
import { serveBlockstore } from '../../src/node/stores/block-service.ts'
import { IDBRepoBlockstore } from '../../src/node/stores/idb-blockstore.ts'
import { WorkerBlockstore } from '../../src/node/stores/worker-blockstore.ts'
import { bytes, joinBytes, sameBytes } from './helpers.ts'
import type { AddComponents, AddContentOptions } from '../../src/node/models/ipfs/add.ts'
import type { MessageEndpoint } from '../../src/node/stores/block-service.ts'
import type { ImporterOptions } from 'ipfs-unixfs-importer'
import type { CID } from 'multiformats/cid'

const MIB = 1024 * 1024

/** An add's components over `blockstore`, for adds that pin nothing. */
function over (blockstore: AddComponents['blockstore']): AddComponents {
  return { blockstore } as unknown as AddComponents
}

/** Every block in a store, by CID string, with its bytes joined as numbers. */
async function contents (store: MemoryBlockstore): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for await (const { cid } of store.getAll()) out.set(cid.toString(), (await readBlock(store, cid)).join())
  return out
}

describe('the add\'s leaf step, which hands leaves over', () => {
  const cases: Array<{ name: string, size: number, piece: number, add: AddContentOptions, library: ImporterOptions }> = [
    { name: 'the default profile, 1 MiB raw leaves', size: 2 * MIB + 7, piece: 300_000, add: {}, library: { profile: 'unixfs-v1-2025', cidVersion: 1 } },
    { name: 'CIDv0, dag-pb leaves of 256 KiB', size: MIB + 3, piece: 100_000, add: { cidVersion: 0 }, library: { profile: 'unixfs-v0-2015', cidVersion: 0 } },
    { name: 'CIDv1 with dag-pb leaves, chunks across pieces', size: 5_000, piece: 700, add: { rawLeaves: false, chunker: 'size-1000' }, library: { profile: 'unixfs-v1-2025', cidVersion: 1, rawLeaves: false, chunker: fixedSize({ chunkSize: 1000 }) } },
    { name: 'one small raw leaf (the file is its leaf)', size: 10, piece: 10, add: {}, library: { profile: 'unixfs-v1-2025', cidVersion: 1 } }
  ]
  for (const { name, size, piece, add, library } of cases) {
    it(`stores the blocks the importer's own step stores, under the same CIDs: ${name}`, async () => {
      const data = bytes(size, size)
      const pieces = (): Uint8Array[] => {
        const out: Uint8Array[] = []
        for (let at = 0; at < size; at += piece) out.push(data.slice(at, at + piece))
        return out
      }
      const ours = new MemoryBlockstore()
      const added = await addContent(over(ours), [{ content: pieces() }], { ...add, pin: false, contentIsOwned: true })
      const theirs = new MemoryBlockstore()
      let root: CID | undefined
      for await (const entry of importer([{ content: pieces() }], theirs, library)) root = entry.cid
      expect(added.cid.toString()).toBe(root!.toString())
      expect(added.size).toBe(size)
      expect(await contents(ours)).toEqual(await contents(theirs))
    })
  }
})

describe('an add into a store in a worker', () => {
  let ports: MessagePort[] = []
  afterEach(() => { for (const p of ports) p.close() })

  function connect (name: string): WorkerBlockstore {
    const channel = new MessageChannel()
    ports = [channel.port1, channel.port2]
    const inner = new IDBRepoBlockstore(name)
    serveBlockstore(channel.port2 as unknown as MessageEndpoint, inner.open().then(() => inner))
    channel.port1.start()
    channel.port2.start()
    return new WorkerBlockstore(channel.port1 as unknown as MessageEndpoint, `indexeddb:${name}`)
  }

  it('moves the leaves of content that is its own to the worker, and copies the leaves of content its caller keeps', async () => {
    const store = connect('handed-over-leaves')
    // whole 1 MiB buffers, as a request body arrives from the service worker: each is one leaf
    const chunks = (): Uint8Array[] => [bytes(MIB, 1), bytes(MIB, 2), bytes(1000, 3)]
    const expected = joinBytes(chunks())

    const owned = chunks()
    const moved = await addContent(over(store), [{ content: owned }], { pin: false, contentIsOwned: true })
    // each buffer went to the worker whole: nothing of it is left here
    expect(owned.map(c => c.byteLength)).toEqual([0, 0, 0])

    const kept = chunks()
    const copied = await addContent(over(store), [{ content: kept }], { pin: false })
    expect(kept.map(c => c.byteLength)).toEqual([MIB, MIB, 1000])
    expect(sameBytes(joinBytes(kept), expected)).toBe(true)

    expect(moved.cid.toString()).toBe(copied.cid.toString())
    expect(moved.size).toBe(2 * MIB + 1000)
    // the worker's store holds every leaf whole
    const { exporter } = await import('ipfs-unixfs-exporter')
    const file = await exporter(moved.cid, store)
    const read: Uint8Array[] = []
    if (file.type !== "raw" && file.type !== "file") throw new Error(file.type)
    for await (const chunk of file.content()) read.push(chunk)
    expect(sameBytes(joinBytes(read), expected)).toBe(true)
  })
})
