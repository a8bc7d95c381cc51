import { ContentNotFoundError, DeadlineExceededError, InvalidParametersError, PathNotFoundError, UnsupportedCodecError } from '../../errors.ts'

/**
 * Turns the errors that helia, the stores and the unixfs exporter throw into
 * this project's errors, so the API's status table needs to know only ours.
 * Anything unrecognised passes through unchanged (and becomes a 500: a bug).
 */
export function translateLibraryError (err: unknown, subject: string, signal?: AbortSignal): Error {
  if (signal?.aborted === true) {
    return new DeadlineExceededError(`the deadline passed while working on ${subject}`)
  }
  const e = err as Error
  switch (e?.name) {
    case 'BlockNotFoundWhileOfflineError':
    case 'LoadBlockFailedError':
    case 'InvalidConfigurationError':
      return new ContentNotFoundError(`${subject} is not in the local store and no connected peer provided it`)
    case 'NotFoundError':
      // the exporter's NotFoundError names a missing link or path; the stores' a missing block
      return /link|path/i.test(e.message)
        ? new PathNotFoundError(`${subject}: ${e.message}`)
        : new ContentNotFoundError(`${subject} is not in the local store and no connected peer provided it`)
    case 'BadPathError':
      return new PathNotFoundError(`${subject}: ${e.message}`)
    case 'NoResolverError':
      return new UnsupportedCodecError(`${subject}: ${e.message}`)
    case 'NotUnixFSError':
    case 'InvalidParametersError':
      return new InvalidParametersError(`${subject}: ${e.message}`)
    case 'AbortError':
    case 'TimeoutError':
      return new DeadlineExceededError(`the deadline passed while working on ${subject}`)
    default:
      return e instanceof Error ? e : new Error(String(err))
  }
}
