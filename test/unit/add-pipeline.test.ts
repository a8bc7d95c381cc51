import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { describe, expect, it } from 'vitest'
import { WriteBehind } from '../../src/node/models/ipfs/write-behind.ts'

describe('WriteBehind', () => {
  it('lets the writer go on, bounds what is pending, and reports a failed write at drain', async () => {
    const releases: Array<() => void> = []
    let failNext = false
    const store = {
      async put (cid: CID) {
        await new Promise<void>((resolve) => { releases.push(resolve) })
        if (failNext) throw new Error('the disk is full')
        return cid
      }
    }
    const writer = new WriteBehind(store, { maxPendingBytes: 10 })
    const block = async (n: number): Promise<CID> => CID.createV1(raw.code, await sha256.digest(new Uint8Array([n])))
    await writer.put(await block(1), new Uint8Array(10))
    // a second put fits under the bound only once the first is durable
    let second = false
    const putting = writer.put(await block(2), new Uint8Array(6)).then(() => { second = true })
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(second).toBe(false)
    releases.shift()!()
    await putting
    expect(second).toBe(true)
    failNext = true
    releases.shift()!()
    await expect(writer.drain()).rejects.toThrow(/disk is full/)
    expect(writer.blocks().length).toBe(1)
  })
})

describe('WriteBehind and a block handed over', () => {
  it('answers readers with a block put as usual until it is stored, but never with one handed over (the store may have emptied it)', async () => {
    const release = Promise.withResolvers<void>()
    const store = { async put (cid: CID) { await release.promise; return cid } }
    const writer = new WriteBehind(store)
    const kept = CID.createV1(raw.code, await sha256.digest(new Uint8Array([1])))
    const given = CID.createV1(raw.code, await sha256.digest(new Uint8Array([2])))
    await writer.put(kept, new Uint8Array([1]))
    await writer.put(given, new Uint8Array([2]), { handOver: true })
    expect(writer.unwrittenBlock(kept)).toEqual(new Uint8Array([1]))
    expect(writer.unwrittenBlock(given)).toBeUndefined()
    release.resolve()
    await writer.drain()
    expect(writer.blocks().map(c => c.toString()).sort()).toEqual([kept, given].map(c => c.toString()).sort())
  })
})

describe('an add cancelled once its content is read', () => {
  it('pins nothing and places nothing in the files', async () => {
    const { createNode, memoryStores } = await import('../../src/node/create-node.ts')
    const { createApiDeps } = await import('../../src/api/app.ts')
    const { standaloneHost } = await import('../../src/node/host-info.ts')
    const { addAndPlace } = await import('../../src/api/add-runner.ts')
    const node = await createNode({ stores: memoryStores() })
    try {
      const deps = createApiDeps({ node, host: standaloneHost() })
      const stop = new AbortController()
      // the cancel arrives just after the last chunk was read, while the add is finishing
      async function * content (): AsyncGenerator<Uint8Array> {
        yield new Uint8Array(3000).fill(1)
        stop.abort(new DOMException('the person cancelled the upload', 'AbortError'))
      }
      await expect(addAndPlace(deps, { entries: [{ path: 'late.bin', content: content() }], options: { toFiles: '/late.bin' } }, { signal: stop.signal, holdLock: false })).rejects.toThrow()
      await expect(node.mfs.stat('/late.bin')).rejects.toThrow()
      const pins = []
      for await (const pin of node.helia.pins.ls()) pins.push(pin)
      expect(pins).toEqual([])
    } finally {
      await node.stop()
    }
  })
})
