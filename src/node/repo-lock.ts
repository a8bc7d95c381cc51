/**
 * Garbage collection must not run while anything is writing to the
 * repository: an add's blocks are unreferenced until its root is pinned or
 * linked. Writers hold this lock shared; collection holds it alone.
 */
export class RepoLock {
  private readers = 0
  private writer?: Promise<void>
  private readonly drained: Array<() => void> = []

  /** Runs `fn` alongside other shared holders, after any collection in progress. */
  async shared<T> (fn: () => Promise<T>): Promise<T> {
    while (this.writer != null) await this.writer
    this.readers++
    try {
      return await fn()
    } finally {
      this.readers--
      if (this.readers === 0) this.drained.splice(0).forEach(resolve => { resolve() })
    }
  }

  /** Runs `fn` once no shared holder is left; new shared holders wait until it ends. */
  async exclusive<T> (fn: () => Promise<T>): Promise<T> {
    while (this.writer != null) await this.writer
    let release!: () => void
    this.writer = new Promise<void>(resolve => { release = resolve })
    try {
      if (this.readers > 0) await new Promise<void>(resolve => this.drained.push(resolve))
      return await fn()
    } finally {
      this.writer = undefined
      release()
    }
  }
}
