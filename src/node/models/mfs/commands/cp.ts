import { AlreadyExistsError, InvalidPathError } from '../../../errors.ts'
import { formatMfsPath } from '../tree.ts'
import type { MfsTree } from '../tree.ts'
import type { CID } from 'multiformats/cid'

export interface CpOptions {
  parents?: boolean
}

/**
 * Links `source` at `destination`; into it, under `sourceName`, when the
 * destination is an existing directory. An existing file is never replaced.
 */
export async function cp (tree: MfsTree, root: CID, source: CID, sourceName: string, destination: string[], options: CpOptions = {}): Promise<CID> {
  let target = destination
  const existing = await tree.lookup(root, target)
  if (existing?.type === 'directory') {
    target = [...destination, sourceName]
    if (await tree.lookup(root, target) != null) {
      throw new AlreadyExistsError(`${formatMfsPath(target)} already exists`)
    }
  } else if (existing != null) {
    throw new AlreadyExistsError(`${formatMfsPath(target)} already exists`)
  }
  if (target.length === 0) {
    throw new InvalidPathError('/ cannot be replaced')
  }
  const parent = target.slice(0, -1)
  if (options.parents === true) {
    root = await tree.ensureDirectories(root, parent)
  } else {
    await tree.isDirectoryAt(root, parent)
  }
  return tree.setChild(root, parent, target[target.length - 1], source)
}

/** Where `cp` puts `sourceName` given `destination`, without changing anything. */
export async function cpTarget (tree: MfsTree, root: CID, sourceName: string, destination: string[]): Promise<string[]> {
  const existing = await tree.lookup(root, destination)
  return existing?.type === 'directory' ? [...destination, sourceName] : destination
}
