// The raw OPFS limit: 256 KiB writes through a sync access handle, in a dedicated worker.
/// <reference lib="webworker" />

self.onmessage = async (event: MessageEvent<{ size: number, block: number }>) => {
  const { size, block } = event.data
  const name = `bench-opfs-raw-${crypto.randomUUID()}`
  try {
    const root = await navigator.storage.getDirectory()
    const file = await root.getFileHandle(name, { create: true })
    const handle = await (file as unknown as { createSyncAccessHandle(): Promise<FileSystemSyncAccessHandle> }).createSyncAccessHandle()
    const chunk = new Uint8Array(block)
    for (let i = 0; i < block; i += 65536) crypto.getRandomValues(chunk.subarray(i, i + 65536))
    const started = performance.now()
    for (let at = 0; at < size; at += block) handle.write(chunk, { at })
    handle.flush()
    const ms = performance.now() - started
    handle.close()
    await root.removeEntry(name)
    postMessage({ ms })
  } catch (err) {
    postMessage({ error: String(err) })
  }
}
