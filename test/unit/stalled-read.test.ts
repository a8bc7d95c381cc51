import * as dagPb from '@ipld/dag-pb'
import { MemoryBlockstore } from 'blockstore-core'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { describe, expect, it } from 'vitest'
import { catContent } from '../../src/node/models/ipfs/cat.ts'
import { blockBytes } from '../../src/node/stores/repo-blockstore.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** A file of three 1 KiB raw leaves: its root's CID and its bytes. */
async function threeLeaves (store: MemoryBlockstore): Promise<{ root: CID, bytes: Uint8Array }> {
  const bytes = new Uint8Array(3 * 1024).map((_, i) => i % 251)
  let root: CID | undefined
  for await (const entry of importer([{ content: bytes }], store, { chunker: fixedSize({ chunkSize: 1024 }), rawLeaves: true, cidVersion: 1 })) root = entry.cid
  return { root: root!, bytes }
}

/** Reads `content`, waiting `pauseMs` between pieces; what came, and how it ended. */
async function readAll (content: AsyncIterable<Uint8Array>, pauseMs = 0): Promise<{ read: number, error?: Error }> {
  let read = 0
  try {
    for await (const piece of content) {
      read += piece.byteLength
      if (pauseMs > 0) await new Promise(resolve => setTimeout(resolve, pauseMs))
    }
    return { read }
  } catch (err) {
    return { read, error: err as Error }
  }
}

describe('a file whose bytes stop coming', () => {
  it('fails with DeadlineExceededError once a block has not come for stallMs, and the wait for it is called off', async () => {
    const store = new MemoryBlockstore()
    const { root } = await threeLeaves(store)
    const leaves = dagPb.decode(await blockBytes(store.get(root))).Links.map(l => l.Hash.toString())
    let calledOff: unknown
    // the third leaf is held by a peer that stopped answering: its read waits until told to stop
    const blockstore = {
      get (cid: CID, options: AbortOptions = {}): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
        if (cid.toString() !== leaves[2]) return store.get(cid)
        return (async function * () {
          await new Promise((_resolve, reject) => {
            options.signal?.addEventListener('abort', () => { calledOff = options.signal?.reason; reject(options.signal?.reason) }, { once: true })
          })
        })()
      }
    }
    const file = await catContent({ blockstore } as never, { cid: root, segments: [] }, { stallMs: 200 })
    const started = Date.now()
    const result = await readAll(file.read().content)
    expect(result.read).toBe(2048)
    expect(result.error?.name).toBe('DeadlineExceededError')
    expect(result.error?.message).toContain('no bytes came for 200 ms')
    expect((calledOff as Error)?.name).toBe('DeadlineExceededError')
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('waits for a reader that is slow to ask: only the source\'s own silence counts', async () => {
    const store = new MemoryBlockstore()
    const { root, bytes } = await threeLeaves(store)
    const file = await catContent({ blockstore: store } as never, { cid: root, segments: [] }, { stallMs: 100 })
    expect(await readAll(file.read().content, 250)).toEqual({ read: bytes.byteLength })
  })
})
