/**
 * A file's bytes as one Blob made of its blocks' Blobs: slices of the packs OPFS keeps
 * them in, the Blobs IndexedDB keeps large blocks as. A service worker
 * answering with it leaves the reading to the browser, which sends the
 * bytes to the page itself: none of our threads reads or posts them.
 * Measured in Chromium 156, 64 MiB in 1 MiB blocks: such a reply read at
 * 280–470 MB/s (OPFS files, IndexedDB Blobs), where a stream the service
 * worker generates itself reaches 180–230 MB/s.
 */
import { CID } from 'multiformats/cid'
import type { StreamSegment } from './block-service.ts'
import type { BlockBlob } from './repo-blockstore.ts'

/**
 * Bytes of blocks the store does not keep as Blobs (small ones, ones an
 * earlier version stored in pieces) that a reply may copy into Blobs of
 * their own. Each is read whole before the first byte goes, so a file of
 * many such blocks is streamed instead, a few blocks ahead
 * (block-service.ts), rather than read into memory first.
 */
const COPY_BUDGET_BYTES = 8 * 1024 * 1024
/** Blocks asked for at once: one after another, a large file's thousands of blocks kept its first byte waiting. */
const CONCURRENCY = 16

/**
 * The Blob of `segments`, in order: parts of blocks, and bytes given.
 * Undefined when it is better made another way: a block is not here, or is
 * shorter than the part wanted of it (a damaged store, which the stream
 * reports), or the blocks to copy are over the budget.
 */
export async function fileBlob (blockBlob: (cid: CID) => Promise<BlockBlob | undefined>, segments: StreamSegment[]): Promise<Blob | undefined> {
  const parts: BlobPart[] = new Array(segments.length)
  let copied = 0
  let next = 0
  let declined = false
  const take = async (): Promise<void> => {
    while (!declined && next < segments.length) {
      const at = next++
      const segment = segments[at]
      if ('bytes' in segment) {
        parts[at] = segment.bytes as Uint8Array<ArrayBuffer>
        continue
      }
      const block = await blockBlob(CID.decode(segment.cid))
      if (block == null || block.blob.size < segment.end) {
        declined = true
        return
      }
      if (block.copied) copied += block.blob.size
      if (copied > COPY_BUDGET_BYTES) {
        declined = true
        return
      }
      parts[at] = segment.start === 0 && segment.end === block.blob.size ? block.blob : block.blob.slice(segment.start, segment.end)
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, segments.length) }, take))
  return declined ? undefined : new Blob(parts)
}
