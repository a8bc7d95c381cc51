/**
 * A file's bytes as one Blob made of its blocks' Blobs: the files OPFS keeps
 * them in, the Blobs IndexedDB keeps large blocks as. A service worker
 * answering with it leaves the reading to the browser, which sends the
 * bytes to the page itself: none of our threads reads or posts them.
 * Measured in Chromium 156, 64 MiB in 1 MiB blocks: such a reply read at
 * 280–470 MB/s (OPFS files, IndexedDB Blobs), where a stream the service
 * worker generates itself reaches 180–230 MB/s.
 */
import { CID } from 'multiformats/cid'
import type { StreamSegment } from './block-service.ts'

/** What gives a block as a Blob. */
export interface BlockBlobs {
  blockBlob(cid: CID): Promise<Blob | undefined>
}

/**
 * The Blob of `segments`, in order: parts of blocks, and bytes given.
 * Undefined when a block is not here, or is shorter than the part wanted of
 * it (a damaged store is left to the reader that reports it).
 */
export async function fileBlob (store: BlockBlobs, segments: StreamSegment[]): Promise<Blob | undefined> {
  // asked all at once: one after another, a large file's thousands of blocks kept its first byte waiting
  const parts = await Promise.all(segments.map(async (segment): Promise<BlobPart | undefined> => {
    if ('bytes' in segment) return segment.bytes as Uint8Array<ArrayBuffer>
    const blob = await store.blockBlob(CID.decode(segment.cid))
    if (blob == null || blob.size < segment.end) return undefined
    return segment.start === 0 && segment.end === blob.size ? blob : blob.slice(segment.start, segment.end)
  }))
  if (parts.some(part => part == null)) return undefined
  return new Blob(parts as BlobPart[])
}
