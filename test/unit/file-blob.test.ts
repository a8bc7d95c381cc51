import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { describe, expect, it } from 'vitest'
import { fileBlob } from '../../src/node/stores/file-blob.ts'
import { bytes, sameBytes } from './helpers.ts'
import type { StreamSegment } from '../../src/node/stores/block-service.ts'
import type { BlockBlob } from '../../src/node/stores/repo-blockstore.ts'

const MIB = 1024 * 1024

/** Blocks by CID, each given as a Blob that is the store's own (`copied: false`) or made of its bytes. */
async function blocksOf (contents: Uint8Array[], copied: boolean): Promise<{ segments: StreamSegment[], blockBlob: (cid: CID) => Promise<BlockBlob | undefined>, asked: () => number }> {
  const byKey = new Map<string, Uint8Array>()
  const segments: StreamSegment[] = []
  for (const content of contents) {
    const cid = CID.create(1, raw.code, await sha256.digest(content))
    byKey.set(cid.toString(), content)
    segments.push({ cid: cid.bytes, start: 0, end: content.byteLength })
  }
  let asked = 0
  return {
    segments,
    asked: () => asked,
    blockBlob: async (cid) => {
      asked++
      const content = byKey.get(cid.toString())
      return content == null ? undefined : { blob: new Blob([content as Uint8Array<ArrayBuffer>]), copied }
    }
  }
}

describe('fileBlob', () => {
  it('joins parts of blocks and bytes given, in order, whatever order the blocks come in', async () => {
    const contents = Array.from({ length: 40 }, (_, i) => bytes(1000 + i, i))
    const { segments, blockBlob } = await blocksOf(contents, false)
    // the first block from its 10th byte, the last to its 20th, and bytes of a node between
    const cut: StreamSegment[] = segments.map((s, i) => 'cid' in s ? { ...s, start: i === 0 ? 10 : 0, end: i === 39 ? 20 : s.end } : s)
    cut.splice(5, 0, { bytes: new Uint8Array([1, 2, 3]) })
    // answered late for early blocks: the parts still go in the order asked
    const slow = async (cid: CID): Promise<BlockBlob | undefined> => {
      await new Promise(resolve => setTimeout(resolve, cid.bytes[cid.bytes.length - 1] % 5))
      return blockBlob(cid)
    }
    const blob = await fileBlob(slow, cut)
    const expected = [contents[0].subarray(10), ...contents.slice(1, 5), new Uint8Array([1, 2, 3]), ...contents.slice(5, 39), contents[39].subarray(0, 20)]
    const joined = new Uint8Array(expected.reduce((n, c) => n + c.byteLength, 0))
    let at = 0
    for (const c of expected) { joined.set(c, at); at += c.byteLength }
    expect(sameBytes(new Uint8Array(await blob!.arrayBuffer()), joined)).toBe(true)
  })

  it('declines when a block is missing or shorter than the part wanted', async () => {
    const contents = [bytes(500, 1), bytes(500, 2)]
    const { segments, blockBlob } = await blocksOf(contents, false)
    const missing = await blocksOf([bytes(10, 9)], false)
    expect(await fileBlob(blockBlob, [...segments, ...missing.segments])).toBeUndefined()
    const beyond = segments.map(s => 'cid' in s ? { ...s, end: s.end + 1 } : s)
    expect(await fileBlob(blockBlob, beyond)).toBeUndefined()
  })

  it('makes a reply of stored Blobs of any size, but copies no more than 8 MiB of blocks kept as bytes', async () => {
    const stored = await blocksOf(Array.from({ length: 12 }, (_, i) => bytes(MIB, i)), false)
    expect((await fileBlob(stored.blockBlob, stored.segments))!.size).toBe(12 * MIB)

    const small = await blocksOf(Array.from({ length: 8 }, (_, i) => bytes(MIB, i)), true)
    expect((await fileBlob(small.blockBlob, small.segments))!.size).toBe(8 * MIB)
    // a file of many blocks kept as bytes is streamed instead; what is read before that is found is bounded
    const many = await blocksOf(Array.from({ length: 100 }, (_, i) => bytes(MIB, i)), true)
    expect(await fileBlob(many.blockBlob, many.segments)).toBeUndefined()
    expect(many.asked()).toBeLessThanOrEqual(8 + 1 + 16)
  })
})
