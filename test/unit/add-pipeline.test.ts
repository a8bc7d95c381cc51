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
