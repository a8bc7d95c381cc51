import { ApiError } from '../api-client.ts'

/** How an API failure reads: the status and error type the API gave, then its message. */
export function describeError (error: unknown): string {
  if (error instanceof ApiError) return `${error.status} ${error.errorType}: ${error.message}`
  if (error instanceof DOMException && error.name === 'AbortError') return 'Cancelled.'
  return error instanceof Error ? error.message : String(error)
}

/** An error shown next to what caused it, announced to screen readers. */
export function ErrorText ({ error, id }: { error: unknown, id?: string }) {
  if (error == null) return null
  return <p class='error' role='alert' id={id}>{describeError(error)}</p>
}
