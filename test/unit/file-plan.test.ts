import { MemoryBlockstore } from 'blockstore-core'
import { exporter } from 'ipfs-unixfs-exporter'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced, trickle } from 'ipfs-unixfs-importer/layout'
import { describe, expect, it } from 'vitest'
import { planFileRead } from '../../src/node/models/ipfs/file-plan.ts'
import { blockBytes } from '../../src/node/stores/repo-blockstore.ts'
import { bytes, joinBytes, sameBytes } from './helpers.ts'
import type { PlanSegment } from '../../src/node/models/ipfs/file-plan.ts'
import type { ImporterOptions } from 'ipfs-unixfs-importer'
import type { CID } from 'multiformats/cid'

async function add (store: MemoryBlockstore, data: Uint8Array, options: Partial<ImporterOptions>): Promise<CID> {
  let root: CID | undefined
  for await (const entry of importer([{ content: data }], store, options)) root = entry.cid
  return root!
}

/** The bytes a plan names, read as the block worker reads them. */
async function readPlan (store: MemoryBlockstore, plan: PlanSegment[]): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for (const segment of plan) {
    parts.push('bytes' in segment ? segment.bytes : (await blockBytes(store.get(segment.cid))).subarray(segment.start, segment.end))
  }
  return joinBytes(parts)
}

async function exported (store: MemoryBlockstore, cid: CID, offset: number, length: number): Promise<Uint8Array> {
  const entry = await exporter(cid, store)
  if (entry.type !== 'file' && entry.type !== 'raw') throw new Error(`${cid.toString()} is not a file`)
  const parts: Uint8Array[] = []
  for await (const chunk of entry.content({ offset, length })) parts.push(chunk)
  return joinBytes(parts)
}


describe('planning a file read', () => {
  const shapes: Array<[string, number, Partial<ImporterOptions>]> = [
    ['raw leaves, 1 MiB chunks, one level', 5 * 1024 * 1024 + 321, { profile: 'unixfs-v1-2025' }],
    ['raw leaves, several levels (balanced, 4 children a node)', 70_000, { cidVersion: 1, rawLeaves: true, chunker: fixedSize({ chunkSize: 1024 }), layout: balanced({ maxChildrenPerNode: 4 }) }],
    ['raw leaves, trickle layout', 50_000, { cidVersion: 1, rawLeaves: true, chunker: fixedSize({ chunkSize: 1000 }), layout: trickle({ maxChildrenPerNode: 3, layerRepeat: 2 }) }],
    ['one raw block', 900, { cidVersion: 1, rawLeaves: true }]
  ]
  for (const [shape, size, options] of shapes) {
    it(`names the exporter's bytes for every range: ${shape}`, async () => {
      const store = new MemoryBlockstore()
      const data = bytes(size, size)
      const root = await add(store, data, options)
      const ranges = [[0, size], [0, 1], [size - 1, 1], [1, size - 2], [Math.floor(size / 3), Math.floor(size / 2)], [Math.min(1023, size - 2), 2], [size, 0]]
      for (let i = 0; i < 8; i++) {
        const offset = Math.floor(Math.random() * size)
        ranges.push([offset, Math.floor(Math.random() * (size - offset)) + 1])
      }
      for (const [offset, length] of ranges) {
        const plan = await planFileRead(store, root, offset, length)
        expect(plan).toBeDefined()
        const read = await readPlan(store, plan!)
        expect(read.byteLength).toBe(length)
        expect(sameBytes(read, data.subarray(offset, offset + length))).toBe(true)
        expect(sameBytes(read, await exported(store, root, offset, length))).toBe(true)
      }
    })
  }

  it('reads no leaf to plan', async () => {
    const store = new MemoryBlockstore()
    const root = await add(store, bytes(3 * 1024 * 1024, 2), { profile: 'unixfs-v1-2025' })
    const read: string[] = []
    const counting = { get: (cid: CID) => { read.push(cid.toString()); return store.get(cid) } }
    const plan = await planFileRead(counting, root, 0, 3 * 1024 * 1024)
    expect(plan).toHaveLength(3)
    expect(read).toEqual([root.toString()])
  })

  it('leaves a file with dag-pb leaves (as cid_version=0 adds) to the exporter, and a small one it holds whole', async () => {
    const store = new MemoryBlockstore()
    const large = await add(store, bytes(600_000, 5), { profile: 'unixfs-v0-2015' })
    expect(await planFileRead(store, large, 0, 600_000)).toBeUndefined()
    const small = await add(store, new TextEncoder().encode('hello world\n'), { profile: 'unixfs-v0-2015' })
    const plan = await planFileRead(store, small, 6, 5)
    expect(plan).toEqual([{ bytes: new TextEncoder().encode('world') }])
  })
})
