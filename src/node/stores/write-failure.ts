import { PutFailedError } from 'interface-store'
import { StorageFullError } from '../errors.ts'

/**
 * The error a store's failed write throws: StorageFullError when the browser
 * refused it for want of room (IndexedDB's transaction and OPFS's access
 * handle both fail with a QuotaExceededError then), so the person is told
 * the storage is full rather than of an internal error; PutFailedError for
 * any other cause.
 */
export function writeFailure (what: string, cause: unknown): Error {
  if ((cause as Error | undefined)?.name === 'QuotaExceededError') {
    return new StorageFullError(`${what}: this site's storage is full (${String(cause)}); free room by removing pins and collecting garbage, or let the browser give the site more`)
  }
  return new PutFailedError(`${what}: ${String(cause)}`)
}
