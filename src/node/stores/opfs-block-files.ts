/// <reference lib="webworker" />
/**
 * The layout an earlier version of the OPFS store kept blocks in: a file
 * per block, named by its key, in shard directories named by the key's
 * next-to-last two characters (as Kubo's flatfs shards), with the count in
 * `_stat.json`. The store moves such blocks into its packs at open.
 */
import { entries, fileOf } from './opfs-files.ts'
import { cidOfKey } from './repo-blockstore.ts'

const SHARD = /^[A-Z2-7]{2}$/
/** A block the earlier version was still writing: never whole. */
const PART = '.part'
const STAT_FILE = '_stat.json'

/** Each block file of the earlier layout under `root`, with its key (a file not named by one is left to be removed). */
export async function * earlierBlockFiles (root: FileSystemDirectoryHandle): AsyncGenerator<[string, FileSystemFileHandle]> {
  for await (const [name, entry] of entries(root)) {
    if (entry.kind !== 'directory' || !SHARD.test(name)) continue
    for await (const [key, file] of entries(entry as FileSystemDirectoryHandle)) {
      if (file.kind === 'file' && isKey(key)) yield [key, file as FileSystemFileHandle]
    }
  }
}

function isKey (name: string): boolean {
  if (name.endsWith(PART)) return false
  try {
    cidOfKey(name)
    return true
  } catch {
    return false
  }
}

/** Removes the earlier layout's directories and count. */
export async function removeEarlierLayout (root: FileSystemDirectoryHandle): Promise<void> {
  const shards: string[] = []
  for await (const [name, entry] of entries(root)) {
    if (entry.kind === 'directory' && SHARD.test(name)) shards.push(name)
  }
  for (const name of shards) await root.removeEntry(name, { recursive: true })
  if (await fileOf(root, STAT_FILE) != null) await root.removeEntry(STAT_FILE)
}
