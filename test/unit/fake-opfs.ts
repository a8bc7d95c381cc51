/**
 * An origin private file system in memory, as much of it as the OPFS
 * blockstore calls (directories, files, synchronous access handles with
 * their exclusive lock, move, File snapshots), installed as
 * `navigator.storage.getDirectory()`. Node has no OPFS; the store's logic
 * (packs, index, compaction) is tested against this, its browser calls in
 * the e2e tests.
 */

/** What the fake's files may take in all (bytes); a write past it fails as a full disk does. */
interface Disk {
  quotaBytes: number
  used(): number
}

class FakeFile {
  constructor (readonly disk: Disk) {}
  bytes: Uint8Array = new Uint8Array(0)
  locked = false
  /** Bumped by each change: a File snapshot taken before it cannot be read after (as Chromium's). */
  version = 0
}

function domError (name: string, message: string): Error {
  const err = new Error(message)
  err.name = name
  return err
}

class FakeSyncAccessHandle {
  #file: FakeFile | undefined
  constructor (file: FakeFile) {
    this.#file = file
  }

  #open (): FakeFile {
    if (this.#file == null) throw domError('InvalidStateError', 'the access handle is closed')
    return this.#file
  }

  read (into: Uint8Array, options: { at: number }): number {
    const file = this.#open()
    const part = file.bytes.subarray(options.at, options.at + into.byteLength)
    into.set(part)
    return part.byteLength
  }

  write (from: Uint8Array, options: { at: number }): number {
    const file = this.#open()
    const end = options.at + from.byteLength
    if (file.disk.used() + Math.max(0, end - file.bytes.byteLength) > file.disk.quotaBytes) throw domError('QuotaExceededError', 'the disk is full')
    if (end > file.bytes.byteLength) {
      const grown = new Uint8Array(end)
      grown.set(file.bytes)
      file.bytes = grown
    }
    file.bytes.set(from, options.at)
    file.version++
    return from.byteLength
  }

  truncate (size: number): void {
    const file = this.#open()
    const next = new Uint8Array(size)
    next.set(file.bytes.subarray(0, size))
    file.bytes = next
    file.version++
  }

  getSize (): number {
    return this.#open().bytes.byteLength
  }

  flush (): void {
    this.#open()
  }

  close (): void {
    if (this.#file != null) this.#file.locked = false
    this.#file = undefined
  }
}

class FakeFileHandle {
  readonly kind = 'file'
  constructor (public name: string, readonly file: FakeFile, public parent: FakeDirectoryHandle) {}

  async getFile (): Promise<File> {
    const { file } = this
    const version = file.version
    const bytes = file.bytes.slice()
    const snapshot = new File([bytes], this.name)
    // reading it after a change fails, as in Chromium (NotReadableError)
    const check = (): void => { if (file.version !== version) throw domError('NotReadableError', 'the file changed since its snapshot was taken') }
    const arrayBuffer = snapshot.arrayBuffer.bind(snapshot)
    const slice = snapshot.slice.bind(snapshot)
    return Object.assign(snapshot, {
      arrayBuffer: async () => { check(); return await arrayBuffer() },
      slice: (...args: Parameters<Blob['slice']>) => {
        const part = slice(...args)
        const partBuffer = part.arrayBuffer.bind(part)
        return Object.assign(part, { arrayBuffer: async () => { check(); return await partBuffer() } })
      }
    })
  }

  async createSyncAccessHandle (): Promise<FakeSyncAccessHandle> {
    if (this.file.locked) throw domError('NoModificationAllowedError', 'another access handle is open')
    this.file.locked = true
    return new FakeSyncAccessHandle(this.file)
  }

  async move (name: string): Promise<void> {
    if (this.file.locked) throw domError('NoModificationAllowedError', 'the file is open')
    this.parent.children.delete(this.name)
    this.parent.children.set(name, this)
    this.name = name
  }
}

export class FakeDirectoryHandle {
  readonly kind = 'directory'
  readonly children = new Map<string, FakeFileHandle | FakeDirectoryHandle>()
  readonly disk: Disk
  constructor (readonly name: string, disk?: Disk) {
    this.disk = disk ?? { quotaBytes: Infinity, used: () => this.totalBytes() }
  }

  /** Bytes of every file under this directory. */
  totalBytes (): number {
    let total = 0
    for (const child of this.children.values()) total += child instanceof FakeDirectoryHandle ? child.totalBytes() : child.file.bytes.byteLength
    return total
  }

  async getDirectoryHandle (name: string, options: { create?: boolean } = {}): Promise<FakeDirectoryHandle> {
    const found = this.children.get(name)
    if (found instanceof FakeDirectoryHandle) return found
    if (found != null) throw domError('TypeMismatchError', `${name} is a file`)
    if (options.create !== true) throw domError('NotFoundError', `no directory ${name}`)
    const dir = new FakeDirectoryHandle(name, this.disk)
    this.children.set(name, dir)
    return dir
  }

  async getFileHandle (name: string, options: { create?: boolean } = {}): Promise<FakeFileHandle> {
    const found = this.children.get(name)
    if (found instanceof FakeFileHandle) return found
    if (found != null) throw domError('TypeMismatchError', `${name} is a directory`)
    if (options.create !== true) throw domError('NotFoundError', `no file ${name}`)
    const file = new FakeFileHandle(name, new FakeFile(this.disk), this)
    this.children.set(name, file)
    return file
  }

  async removeEntry (name: string, options: { recursive?: boolean } = {}): Promise<void> {
    const found = this.children.get(name)
    if (found == null) throw domError('NotFoundError', `no entry ${name}`)
    if (found instanceof FakeDirectoryHandle && found.children.size > 0 && options.recursive !== true) throw domError('InvalidModificationError', `${name} is not empty`)
    if (found instanceof FakeFileHandle && found.file.locked) throw domError('NoModificationAllowedError', `${name} is open`)
    // a snapshot of a removed file cannot be read
    if (found instanceof FakeFileHandle) found.file.version++
    this.children.delete(name)
  }

  async * entries (): AsyncGenerator<[string, FakeFileHandle | FakeDirectoryHandle]> {
    for (const entry of [...this.children]) yield entry
  }

  /** The bytes of the file at `path` (test inspection). */
  bytesAt (path: string): Uint8Array | undefined {
    const parts = path.split('/')
    let dir: FakeDirectoryHandle = this
    for (const part of parts.slice(0, -1)) {
      const next = dir.children.get(part)
      if (!(next instanceof FakeDirectoryHandle)) return undefined
      dir = next
    }
    const file = dir.children.get(parts.at(-1)!)
    return file instanceof FakeFileHandle ? file.file.bytes : undefined
  }

  /** Replaces the bytes of the file at `path` (a test's damage). */
  setBytes (path: string, bytes: Uint8Array): void {
    const parts = path.split('/')
    let dir: FakeDirectoryHandle = this
    for (const part of parts.slice(0, -1)) dir = dir.children.get(part) as FakeDirectoryHandle
    const file = dir.children.get(parts.at(-1)!) as FakeFileHandle
    file.file.bytes = bytes
    file.file.version++
  }

  /** Names of the entries under `path` ('' for this directory). */
  namesAt (path: string): string[] {
    let dir: FakeDirectoryHandle = this
    for (const part of path.split('/').filter(p => p !== '')) dir = dir.children.get(part) as FakeDirectoryHandle
    return [...dir.children.keys()].sort()
  }
}

/** Installs a fresh fake OPFS as the origin's and returns its root. */
export function installFakeOpfs (): FakeDirectoryHandle {
  const root = new FakeDirectoryHandle('')
  const storage = { getDirectory: async () => root }
  Object.defineProperty(globalThis, 'navigator', { configurable: true, value: { ...(globalThis.navigator ?? {}), storage } })
  return root
}
