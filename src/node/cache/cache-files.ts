/**
 * Where the cache keeps its files: OPFS in the browser, memory in tests.
 * Paths are relative and `/`-separated (`day=2026-11-25/part-00000.parquet`).
 */

export interface CacheFileInfo {
  path: string
  size: number
}

export interface CacheFiles {
  /** Every file under the root, recursively. */
  list(): Promise<CacheFileInfo[]>
  /** The file's bytes, or undefined when it does not exist. */
  read(path: string): Promise<Uint8Array | undefined>
  /** Replaces the file whole: a reader sees the old bytes or the new, never a mix. */
  write(path: string, bytes: Uint8Array): Promise<void>
  remove(path: string): Promise<void>
}

export class MemoryCacheFiles implements CacheFiles {
  readonly files = new Map<string, Uint8Array>()

  async list (): Promise<CacheFileInfo[]> {
    return [...this.files].map(([path, bytes]) => ({ path, size: bytes.byteLength }))
  }

  async read (path: string): Promise<Uint8Array | undefined> {
    return this.files.get(path)
  }

  async write (path: string, bytes: Uint8Array): Promise<void> {
    this.files.set(path, bytes.slice())
  }

  async remove (path: string): Promise<void> {
    this.files.delete(path)
  }
}

/**
 * Files in the Origin Private File System under one directory (`a/b` nests). Writes go
 * through `createWritable()`, which writes a swap file and replaces the
 * target only on `close()`, so a crash mid-write leaves the old file.
 */
export class OpfsCacheFiles implements CacheFiles {
  private readonly root: Promise<FileSystemDirectoryHandle>

  constructor (directory: string) {
    this.root = navigator.storage.getDirectory().then(async (root) => {
      let dir = root
      for (const name of directory.split('/').filter(s => s !== '')) dir = await dir.getDirectoryHandle(name, { create: true })
      return dir
    })
  }

  async list (): Promise<CacheFileInfo[]> {
    const out: CacheFileInfo[] = []
    const walk = async (dir: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
      for await (const [name, handle] of (dir as unknown as AsyncIterable<[string, FileSystemHandle]>)) {
        if (handle.kind === 'directory') {
          await walk(handle as FileSystemDirectoryHandle, `${prefix}${name}/`)
        } else if (!name.endsWith('.crswap')) {
          out.push({ path: `${prefix}${name}`, size: (await (handle as FileSystemFileHandle).getFile()).size })
        }
      }
    }
    await walk(await this.root, '')
    return out
  }

  async read (path: string): Promise<Uint8Array | undefined> {
    const handle = await this.fileHandle(path, false)
    if (handle == null) return undefined
    return new Uint8Array(await (await handle.getFile()).arrayBuffer())
  }

  async write (path: string, bytes: Uint8Array): Promise<void> {
    const handle = await this.fileHandle(path, true) as FileSystemFileHandle
    const writable = await handle.createWritable()
    try {
      await writable.write(bytes as Uint8Array<ArrayBuffer>)
      await writable.close()
    } catch (err) {
      await writable.abort().catch(() => {})
      throw err
    }
  }

  async remove (path: string): Promise<void> {
    const { dir, name } = await this.parent(path, false)
    if (dir == null) return
    await dir.removeEntry(name).catch((err: unknown) => {
      if ((err as Error).name !== 'NotFoundError') throw err
    })
  }

  private async fileHandle (path: string, create: boolean): Promise<FileSystemFileHandle | undefined> {
    const { dir, name } = await this.parent(path, create)
    if (dir == null) return undefined
    try {
      return await dir.getFileHandle(name, { create })
    } catch (err) {
      if ((err as Error).name === 'NotFoundError') return undefined
      throw err
    }
  }

  private async parent (path: string, create: boolean): Promise<{ dir?: FileSystemDirectoryHandle, name: string }> {
    const segments = path.split('/').filter(s => s !== '')
    const name = segments.pop() ?? ''
    let dir = await this.root
    for (const segment of segments) {
      try {
        dir = await dir.getDirectoryHandle(segment, { create })
      } catch (err) {
        if ((err as Error).name === 'NotFoundError') return { name }
        throw err
      }
    }
    return { dir, name }
  }
}
