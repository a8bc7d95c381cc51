/**
 * Reply bodies another thread can send in place of this one: a file's bytes
 * straight from the blockstore's worker. The stream stays the reply's body
 * (a reader in this page, and the unit tests, read it as ever); the bridge
 * to the service worker asks for a port that serves the same bytes instead,
 * and cancels the stream, so the bytes never cross this page's thread.
 */
const servers = new WeakMap<ReadableStream<Uint8Array>, () => Promise<MessagePort | undefined>>()

/** Marks `stream` as one that `serve` can give a port for (or undefined, when it cannot after all). */
export function servedElsewhere (stream: ReadableStream<Uint8Array>, serve: () => Promise<MessagePort | undefined>): ReadableStream<Uint8Array> {
  servers.set(stream, serve)
  return stream
}

/** A port serving `stream`'s bytes from another thread, when there is one. */
export async function portServing (stream: ReadableStream<Uint8Array>): Promise<MessagePort | undefined> {
  return servers.get(stream)?.().catch(() => undefined)
}
