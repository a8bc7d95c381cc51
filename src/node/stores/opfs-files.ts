/// <reference lib="webworker" />
/** Small forms of OPFS calls the stores make (TypeScript's DOM types lack `entries` and `move`). */

/** The file `name` in `dir`, or undefined when there is none. */
export async function fileOf (dir: FileSystemDirectoryHandle, name: string): Promise<FileSystemFileHandle | undefined> {
  try {
    return await dir.getFileHandle(name)
  } catch (err) {
    if ((err as Error).name === 'NotFoundError' || (err as Error).name === 'TypeMismatchError') return undefined
    throw err
  }
}

export function entries (dir: FileSystemDirectoryHandle): AsyncIterable<[string, FileSystemHandle]> {
  return (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()
}

/** Renames `file` within its directory. */
export async function rename (file: FileSystemFileHandle, name: string): Promise<void> {
  await (file as FileSystemFileHandle & { move(name: string): Promise<void> }).move(name)
}
