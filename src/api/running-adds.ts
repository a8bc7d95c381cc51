import { AddCancelledError } from './errors.ts'

/**
 * Adds in progress that report as they go (`?progress=true`), by id: a
 * client cancels one through `POST /ipfs/add/cancel` and goes on reading its
 * reply, whose last line then says truly how it ended: cancelled, or
 * finished (and placed) before the cancel reached it. Closing the reply
 * instead stops the add too, but leaves the client guessing which.
 */
export class RunningAdds {
  readonly #adds = new Map<string, AbortController>()

  /** Registers an add that `stop` aborts; `done` forgets it once it has ended. */
  start (stop: AbortController): { id: string, done(): void } {
    const id = crypto.randomUUID()
    this.#adds.set(id, stop)
    return { id, done: () => { this.#adds.delete(id) } }
  }

  /** Stops the add; false when no add of that id is in progress (it has ended, or never was). */
  cancel (id: string): boolean {
    const stop = this.#adds.get(id)
    if (stop == null) return false
    stop.abort(new AddCancelledError('the add was cancelled before it finished: nothing was pinned or placed'))
    return true
  }
}
