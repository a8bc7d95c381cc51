// Helpers the benchmark pages share.

export const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** `size` random bytes (getRandomValues fills at most 64 KiB at a time). */
export function randomBytes (size: number): Uint8Array {
  const data = new Uint8Array(size)
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, Math.min(size, i + 65536)))
  return data
}

export async function removeOpfs (name: string): Promise<void> {
  const root = await navigator.storage.getDirectory()
  for await (const entry of (root as unknown as { keys(): AsyncIterable<string> }).keys()) {
    if (entry.startsWith(name)) await root.removeEntry(entry, { recursive: true }).catch(() => {})
  }
}

/** Deletes every IndexedDB database whose name starts with `prefix`. */
export async function deleteDatabases (prefix: string): Promise<void> {
  for (const db of await indexedDB.databases()) {
    if (db.name?.startsWith(prefix) === true) {
      await new Promise((resolve) => { const req = indexedDB.deleteDatabase(db.name!); req.onsuccess = resolve; req.onerror = resolve; req.onblocked = resolve })
    }
  }
}

/**
 * Tells bench/run.mjs a limit's timed part starts or ends, so that it reads
 * the browser's CPU time then (bench/sections/cpu.mjs): what the limit
 * prepares (random bytes, a database to read) is left out. Nothing when the
 * page runs without it.
 */
export async function cpuMark (): Promise<void> {
  await (globalThis as { benchCpuMark?: () => Promise<void> }).benchCpuMark?.()
}
