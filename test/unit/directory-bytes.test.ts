import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { describe, expect, it } from 'vitest'
import { encodeDirectory } from '../../src/node/models/mfs/directory-bytes.ts'
import { withLink, withoutLink } from '../../src/node/models/mfs/directory-links.ts'

async function cidOf (seed: number, version: 0 | 1 = 1): Promise<CID> {
  const digest = await sha256.digest(new Uint8Array([seed & 0xff, seed >> 8]))
  return version === 0 ? CID.createV0(digest) : CID.createV1(raw.code, digest)
}

/** Names dag-pb orders by their UTF-8 bytes, not by JavaScript's string order. */
const NAMES = ['b', 'a', 'é', 'B', 'aa', 'a b', '🙂', 'ｚ', '', 'file-10', 'file-9', 'Z', '\u00ff', '\uffff']

describe('a directory node encoded from its links\' kept bytes', () => {
  it('gives dag-pb\'s bytes, edit after edit, with and without data, mtime, Tsize and CIDv0 links', async () => {
    const plain = new UnixFS({ type: 'directory' })
    const timed = new UnixFS({ type: 'directory', mtime: { secs: 1_000n, nsecs: 5 }, mode: 0o755 })
    for (const unixfs of [plain, timed]) {
      let node: dagPb.PBNode = { Data: unixfs.marshal(), Links: [] }
      expect(encodeDirectory(node)).toEqual(dagPb.encode(node))
      for (let i = 0; i < NAMES.length; i++) {
        const link: dagPb.PBLink = i % 3 === 0
          ? { Hash: await cidOf(i, 0), Name: NAMES[i] }
          : { Hash: await cidOf(i), Name: NAMES[i], Tsize: i * 1_000_003 }
        node = withLink(node, unixfs, link, 1_700_000_000_000 + i)!
        // the same node encoded twice: the second from kept bytes
        expect(encodeDirectory(node), NAMES[i]).toEqual(dagPb.encode(node))
        expect(encodeDirectory(node)).toEqual(dagPb.encode(node))
      }
      // a name replaced, then names taken out
      node = withLink(node, unixfs, { Hash: await cidOf(99), Name: 'aa', Tsize: 7 }, 1_800_000_000_000)!
      expect(encodeDirectory(node)).toEqual(dagPb.encode(node))
      for (const name of ['é', '🙂', '']) {
        node = withoutLink(node, name)
        expect(encodeDirectory(node), name).toEqual(dagPb.encode(node))
      }
      // and the bytes decode to the same node
      expect(dagPb.decode(encodeDirectory(node)).Links.map(l => l.Name)).toEqual(node.Links.map(l => l.Name))
    }
  })

  it('gives the bytes of a node with neither data nor links, and of one with no data', async () => {
    expect(encodeDirectory({ Links: [] })).toEqual(dagPb.encode({ Links: [] }))
    const node = { Links: [{ Hash: await cidOf(1), Name: 'a', Tsize: 1 }, { Hash: await cidOf(2), Name: 'b' }] }
    expect(encodeDirectory(node)).toEqual(dagPb.encode(node))
  })

  it('refuses links out of dag-pb\'s order as the library does, even when their bytes were kept', async () => {
    const a = { Hash: await cidOf(1), Name: 'a' }
    const b = { Hash: await cidOf(2), Name: 'é' }
    encodeDirectory({ Links: [a, b] })
    expect(() => encodeDirectory({ Links: [b, a] })).toThrow(/sorted/)
  })
})
