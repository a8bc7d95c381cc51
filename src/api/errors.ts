import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode, UnofficialStatusCode } from 'hono/utils/http-status'

/** The one table that maps an error's `name` to an HTTP status. Anything absent is a 500: a bug. */
export const STATUS_BY_ERROR: Readonly<Record<string, ContentfulStatusCode>> = {
  InvalidCIDError: 400,
  UnsupportedCodecError: 400,
  InvalidParametersError: 400,
  InvalidRequestError: 400,
  CliUsageError: 400,
  InvalidJSONError: 400,
  InvalidPathError: 400,
  NotADirectoryError: 400,
  NotAFileError: 400,
  PathNotFoundError: 404,
  ContentNotFoundError: 404,
  NotPinnedError: 404,
  NameNotFoundError: 404,
  KeyNotFoundError: 404,
  SessionNotFoundError: 404,
  RecordNotFoundError: 404,
  CredentialNotFoundError: 404,
  WrongPassphraseError: 403,
  RouteNotFoundError: 404,
  AlreadyExistsError: 409,
  DirectoryNotEmptyError: 409,
  BlockTooLargeError: 413,
  PayloadTooLargeError: 413,
  // the browser's storage for the site is full: WebDAV's "insufficient storage"
  StorageFullError: 507,
  // the browser's own, from a write no store of ours wrapped (a journal entry, the cache's files)
  QuotaExceededError: 507,
  TierCapacityError: 413,
  CredentialsLockedError: 423,
  CredentialIntegrityError: 422,
  UnsupportedMediaTypeError: 415,
  RangeNotSatisfiableError: 416,
  PeerUnreachableError: 502,
  NetworkUnavailableError: 503,
  NetworkStartError: 503,
  // libp2p's, for its parts read before the node's network has started (routes that need it wait for it first)
  NotStartedError: 503,
  AddNotFoundError: 404,
  // as nginx's "client closed request": the client asked for it to stop
  AddCancelledError: 499 as UnofficialStatusCode,
  DeadlineExceededError: 504
}

/** A request the API refuses before any model sees it. */
export class InvalidRequestError extends Error {
  static name = 'InvalidRequestError'
  name = 'InvalidRequestError'
}

export class UnsupportedMediaTypeError extends Error {
  static name = 'UnsupportedMediaTypeError'
  name = 'UnsupportedMediaTypeError'
}

export class RouteNotFoundError extends Error {
  static name = 'RouteNotFoundError'
  name = 'RouteNotFoundError'
}

/** No add in progress has this id (it has ended, or never was). */
export class AddNotFoundError extends Error {
  static name = 'AddNotFoundError'
  name = 'AddNotFoundError'
}

/** The add stopped because its client asked it to. */
export class AddCancelledError extends Error {
  static name = 'AddCancelledError'
  name = 'AddCancelledError'
}

export class InvalidJSONError extends Error {
  static name = 'InvalidJSONError'
  name = 'InvalidJSONError'
}

export interface ClassifiedError {
  status: ContentfulStatusCode
  error: string
  error_type: string
}

/** Status, message and type for any thrown value; internals of a 500 stay out of the message's stack. */
export function classifyError (err: unknown): ClassifiedError {
  if (err instanceof HTTPException) {
    // hono's validators throw these for unreadable bodies (malformed JSON, bad form data)
    const json = /json/i.test(err.message)
    return { status: err.status as ContentfulStatusCode, error: err.message, error_type: json ? 'InvalidJSONError' : 'InvalidRequestError' }
  }
  const e = err instanceof Error ? err : new Error(String(err))
  const status = STATUS_BY_ERROR[e.name] ?? 500
  return { status, error: e.message !== '' ? e.message : e.name, error_type: e.name === 'Error' ? 'InternalError' : e.name }
}
