import { DeadlineExceededError } from '../node/errors.ts'
import { InvalidRequestError } from './errors.ts'
import { DEFAULT_TIMEOUT_MS, timeoutMs } from './timeout.ts'


/** A deadline longer than this is refused: the browser would stop the service worker first. */
export const MAX_TIMEOUT_MS = 10 * 60_000

/** Reads `?timeout=`: a number of milliseconds, or a number with a unit (`500ms`, `5s`, `2m`). */
export function parseTimeout (text: string | undefined): number {
  if (text == null || text === '') return DEFAULT_TIMEOUT_MS
  const ms = timeoutMs(text)
  if (ms == null) {
    throw new InvalidRequestError(`timeout "${text}" is not a number of milliseconds or a duration like 500ms, 5s, 2m`)
  }
  if (ms <= 0 || ms > MAX_TIMEOUT_MS) {
    throw new InvalidRequestError(`timeout must be more than 0 and at most ${MAX_TIMEOUT_MS / 1000}s`)
  }
  return ms
}

export interface Deadline {
  /** The request's own signal combined with its deadline. */
  signal: AbortSignal
  /** The reply has started: from now on a streamed body lasts as long as the client reads it. */
  disarm(): void
}

/**
 * A request's deadline bounds the time to its reply. It is disarmed once the
 * reply starts, so a video or a download streams for as long as it is read
 * (the client going away still stops it): a deadline over the whole body
 * would cut any long stream at 60 s.
 */
export function armDeadline (requestSignal: AbortSignal | undefined, timeoutMs: number): Deadline {
  const controller = new AbortController()
  const timer = setTimeout(() => { controller.abort(new DOMException(`the deadline of ${timeoutMs} ms passed`, 'TimeoutError')) }, timeoutMs)
  return {
    signal: requestSignal == null ? controller.signal : AbortSignal.any([requestSignal, controller.signal]),
    disarm: () => { clearTimeout(timer) }
  }
}

/** Settles with the work, or rejects with DeadlineExceededError as soon as the signal aborts. */
export async function raceDeadline<T> (work: Promise<T>, signal: AbortSignal, timeoutMs: number): Promise<T> {
  if (signal.aborted) throw deadlineError(timeoutMs)
  let onAbort: (() => void) | undefined
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => { reject(deadlineError(timeoutMs)) }
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return await Promise.race([work, aborted])
  } finally {
    signal.removeEventListener('abort', onAbort!)
    // the work may still reject after the deadline won; nobody waits for it
    work.catch(() => {})
  }
}

function deadlineError (timeoutMs: number): DeadlineExceededError {
  return new DeadlineExceededError(`the request did not finish within its deadline of ${timeoutMs} ms`)
}
