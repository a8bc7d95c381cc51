/**
 * Reply bodies another thread can send in place of this one: a file's bytes
 * straight from the blockstore's worker, or as a Blob of the files the store
 * keeps them in. The stream stays the reply's body (a reader in this page,
 * and the unit tests, read it as ever); the bridge to the service worker
 * asks for a port that serves the same bytes, or that Blob, instead, and
 * cancels the stream, so the bytes never cross this page's thread.
 */
const servers = new WeakMap<ReadableStream<Uint8Array>, () => Promise<MessagePort | Blob | undefined>>()

/** Marks `stream` as one that `serve` can give a port or a Blob for (or undefined, when it cannot after all). */
export function servedElsewhere (stream: ReadableStream<Uint8Array>, serve: () => Promise<MessagePort | Blob | undefined>): ReadableStream<Uint8Array> {
  servers.set(stream, serve)
  return stream
}

/** A port serving `stream`'s bytes from another thread, or a Blob of them, when there is one. */
export async function servedBody (stream: ReadableStream<Uint8Array>): Promise<MessagePort | Blob | undefined> {
  return servers.get(stream)?.().catch(() => undefined)
}
