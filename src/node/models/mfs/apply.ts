import { CID } from 'multiformats/cid'
import { cp } from './commands/cp.ts'
import { chmod, touch } from './commands/metadata.ts'
import { mkdir } from './commands/mkdir.ts'
import { rm } from './commands/rm.ts'
import { write } from './commands/write.ts'
import { parseMfsPath } from './tree.ts'
import type { MfsTree } from './tree.ts'
import type { PlannedEntry } from '../../journal/fs-journal.ts'
import type { Blockstore } from 'interface-blockstore'

/**
 * Applies journal entries, in order, to a root and returns the new root. The
 * live operation and recovery both go through here, so what recovery replays
 * is exactly what was journaled: every input is in the entry (content as a
 * CID already in the blockstore), and the result depends only on the base
 * root and those inputs.
 */
export async function applyEntries (tree: MfsTree, blockstore: Blockstore, root: CID, entries: PlannedEntry[]): Promise<CID> {
  for (const entry of entries) {
    root = await applyEntry(tree, blockstore, root, entry)
  }
  return root
}

async function applyEntry (tree: MfsTree, blockstore: Blockstore, root: CID, entry: PlannedEntry): Promise<CID> {
  const segments = parseMfsPath(entry.path)
  const d = entry.data
  switch (entry.operation_type) {
    case 'create':
      return mkdir(tree, root, segments, { parents: d.parents === true, mode: numberOrUndefined(d.mode), mtime: mtimeOf(d.mtime_secs) })
    case 'write':
      return write(tree, blockstore, root, segments, CID.parse(String(d.content_cid)), {
        offset: numberOrUndefined(d.offset),
        count: numberOrUndefined(d.count),
        truncate: d.truncate === true,
        create: d.create !== false,
        parents: d.parents === true
      })
    case 'delete':
      return rm(tree, root, segments, { recursive: d.recursive === true, force: d.force === true })
    case 'copy':
      return cp(tree, root, CID.parse(String(d.source_cid)), String(d.source_name), segments, { parents: d.parents === true })
    case 'metadata':
      if (d.mode != null) root = await chmod(tree, root, segments, Number(d.mode))
      if (d.mtime_secs != null) root = await touch(tree, blockstore, root, segments, mtimeOf(d.mtime_secs)!)
      return root
    default:
      throw new Error(`journal entries of type ${entry.operation_type} do not change the file system`)
  }
}

function numberOrUndefined (value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined
}

function mtimeOf (secs: unknown): { secs: bigint } | undefined {
  return typeof secs === 'number' ? { secs: BigInt(Math.floor(secs)) } : undefined
}
