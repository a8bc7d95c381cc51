import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import type { PutOptions } from '../../stores/repo-blockstore.ts'
import type { BufferImporter, ImporterOptions } from 'ipfs-unixfs-importer'

/**
 * The importer's leaf step (ipfs-unixfs-importer's own `bufferImporter`),
 * storing each leaf with `handOver`, so that a store in a worker takes the
 * leaf's buffer rather than a copy of it, and the page makes no garbage of
 * a large add's bytes. The library's own step reads a leaf's length after
 * storing it, which a buffer moved to another thread no longer has: here it
 * is read first. A dag-pb leaf is a buffer made here, always handed over; a
 * raw leaf is the content's own chunk, handed over only when the content is
 * the add's alone (`contentIsOwned`).
 *
 * `options` are read when a file starts, once the importer has set its
 * profile's defaults in them. It reports no progress of its own: an add
 * counts the bytes the importer reads.
 */
export function handingOverLeaves (options: Pick<ImporterOptions, 'cidVersion' | 'rawLeaves' | 'leafType'>, contentIsOwned: boolean): BufferImporter {
  return async function * leaves (file, blockstore) {
    const rawLeaves = options.rawLeaves ?? false
    // a single leaf with metadata is rewritten from its bytes once all are stored (the library's file builder)
    const keepsLeaf = file.mtime != null || file.mode != null
    for await (const chunk of file.content) {
      yield async () => {
        let block = chunk
        let unixfs: UnixFS | undefined
        if (!rawLeaves) {
          unixfs = new UnixFS({ type: options.leafType ?? 'file', data: chunk })
          block = dagPb.encode({ Data: unixfs.marshal(), Links: [] })
        }
        const size = BigInt(block.byteLength)
        const cid = CID.create(rawLeaves ? 1 : options.cidVersion ?? 1, rawLeaves ? raw.code : dagPb.code, await sha256.digest(block))
        const put: PutOptions = { handOver: !keepsLeaf && (!rawLeaves || contentIsOwned) }
        await blockstore.put(cid, block, put)
        return { cid, unixfs, size, block }
      }
    }
  }
}
