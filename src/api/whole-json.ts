/**
 * A JSON reply made in one piece: the API's envelopes and Kubo's single
 * replies. Kubo's streamed replies are JSON too, and say so with these
 * headers; they, and NDJSON, stream as they are made.
 */
export function isWholeJson (response: Response): boolean {
  if (response.headers.has('x-chunked-output') || response.headers.has('x-stream-output')) return false
  return (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase() === 'application/json'
}
