import { MemoryBlockstore } from 'blockstore-core'
import { describe, expect, it } from 'vitest'
import { readLocalFirst } from '../../src/node/stores/local-first.ts'
import { blockBytes } from '../../src/node/stores/repo-blockstore.ts'
import { createNode, memoryStores } from '../../src/node/create-node.ts'
import { rawBlock } from './helpers.ts'
import type { CID } from 'multiformats/cid'

/** A store that counts what is asked of it. */
function counted (store: MemoryBlockstore): MemoryBlockstore & { calls: string[] } {
  const calls: string[] = []
  return new Proxy(store, {
    get (target, prop, receiver) {
      if (prop === 'calls') return calls
      const value = Reflect.get(target, prop, receiver) as unknown
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => { calls.push(String(prop)); return (value as (...a: unknown[]) => unknown).apply(target, args) }
    }
  }) as MemoryBlockstore & { calls: string[] }
}

describe('reading local blocks first', () => {
  it('reads a block the node holds with one get of its store, and asks the network only for one it does not', async () => {
    const local = counted(new MemoryBlockstore())
    const held = await rawBlock('held')
    const elsewhere = await rawBlock('elsewhere')
    await local.put(held.cid, held.bytes)
    local.calls.length = 0
    const networkAsked: CID[] = []
    const blocks = {
      async * get (cid: CID) {
        networkAsked.push(cid)
        if (!cid.equals(elsewhere.cid)) throw Object.assign(new Error('not found while offline'), { name: 'BlockNotFoundWhileOfflineError' })
        yield elsewhere.bytes
      }
    }
    readLocalFirst(blocks, local)
    expect(await blockBytes(blocks.get(held.cid))).toEqual(held.bytes)
    expect(local.calls).toEqual(['get'])
    expect(networkAsked).toEqual([])
    expect(await blockBytes(blocks.get(elsewhere.cid))).toEqual(elsewhere.bytes)
    expect(networkAsked.map(String)).toEqual([elsewhere.cid.toString()])
    // a block nobody has fails as the networked path fails
    await expect(blockBytes(blocks.get((await rawBlock('nowhere')).cid))).rejects.toMatchObject({ name: 'BlockNotFoundWhileOfflineError' })
  })

  it('a store failure other than a missing block is not hidden behind the network', async () => {
    const blocks = { async * get (_cid: CID): AsyncGenerator<Uint8Array> { yield new Uint8Array() } }
    readLocalFirst(blocks, { get: async function * () { throw Object.assign(new Error('the disk failed'), { name: 'ReadFailedError' }) } } as never)
    await expect(blockBytes(blocks.get((await rawBlock('x')).cid))).rejects.toThrow('the disk failed')
  })

  it('is how the node reads: a held block costs its store no has()', async () => {
    const stores = memoryStores()
    const node = await createNode({ stores })
    const block = await rawBlock('through helia')
    await node.blockstore.put(block.cid, block.bytes)
    const has = stores.blockstore.has.bind(stores.blockstore)
    let hasCalls = 0
    stores.blockstore.has = async (...args) => { hasCalls++; return has(...args) }
    expect(await blockBytes(node.helia.blockstore.get(block.cid))).toEqual(block.bytes)
    expect(hasCalls).toBe(0)
    await node.stop()
  })

  it('answers has() from the node\'s store, without Helia\'s collector lock', async () => {
    const stores = memoryStores()
    const node = await createNode({ stores })
    const block = await rawBlock('held for has')
    await node.blockstore.put(block.cid, block.bytes)
    let locked = 0
    const lock = (node.helia.blockstore as unknown as { lock: { readLock(): Promise<() => void> } }).lock
    const readLock = lock.readLock.bind(lock)
    lock.readLock = async () => { locked++; return readLock() }
    expect(await node.helia.blockstore.has(block.cid)).toBe(true)
    expect(await node.helia.blockstore.has((await rawBlock('not held')).cid)).toBe(false)
    expect(locked).toBe(0)
    await node.stop()
  })
})
