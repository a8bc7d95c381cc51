import { exporter } from 'ipfs-unixfs-exporter'
import { fileHandle } from './cat.ts'
import { formatContentPath } from './content-path.ts'
import { resolveEntry, translatedStream } from './resolve.ts'
import { tarStream } from './tar.ts'
import type { FileHandle } from './cat.ts'
import type { ContentPath } from './content-path.ts'
import type { ReadOptions } from './resolve.ts'
import type { TarEntry } from './tar.ts'
import type { Helia } from '@helia/interface'
import type { UnixFSDirectory } from 'ipfs-unixfs-exporter'
import type { CID } from 'multiformats/cid'

export interface DirectoryArchive {
  cid: CID
  name: string
  /** A tar stream of the directory and everything below it. */
  content: AsyncIterable<Uint8Array>
}

export type GetResult = { kind: 'file', file: FileHandle } | ({ kind: 'directory' } & DirectoryArchive)

/** A file's bytes, or a directory as a tar archive rooted at its name. */
export async function getContent (helia: Pick<Helia, 'blockstore'>, path: ContentPath, options: ReadOptions = {}): Promise<GetResult> {
  const entry = await resolveEntry(helia, path, options)
  if (entry.type !== 'directory') {
    return { kind: 'file', file: fileHandle(entry, path, options) }
  }
  const name = path.segments.at(-1) ?? entry.cid.toString()
  async function * walk (dir: UnixFSDirectory, at: string): AsyncGenerator<TarEntry> {
    yield { path: at, type: 'directory', size: 0, mode: dir.unixfs.mode, mtime: Number(dir.unixfs.mtime?.secs ?? 0n) }
    for await (const child of dir.entries(options)) {
      const item = await exporter(child.cid, helia.blockstore, options)
      const childPath = `${at}/${child.name}`
      if (item.type === 'directory') {
        yield * walk(item, childPath)
      } else if (item.type === 'file' || item.type === 'raw' || item.type === 'identity') {
        const mode = item.type === 'file' ? item.unixfs.mode : undefined
        yield { path: childPath, type: 'file', size: Number(item.size), mode, content: item.content(options) }
      }
    }
  }
  return {
    kind: 'directory',
    cid: entry.cid,
    name,
    content: translatedStream(tarStream(walk(entry, name)), formatContentPath(path), options.signal)
  }
}
