/**
 * `Content-Disposition` for `?filename=` and `?download=true`, and for the
 * trustless formats (always an attachment). A name that is not plain ASCII
 * gets an ASCII fallback and the exact name in `filename*` (RFC 6266), since
 * a header cannot carry it as it is.
 */

export type Disposition = 'inline' | 'attachment'

export function contentDisposition (disposition: Disposition, filename: string): string {
  // quotes and backslashes would end or escape the quoted string; control characters are not allowed in a header
  const cleaned = filename.replace(/[\u0000-\u001f\u007f]/g, '')
  const ascii = cleaned.replace(/[^\u0020-\u007e]/g, '_').replace(/["\\]/g, '_')
  if (ascii === cleaned) return `${disposition}; filename="${ascii}"`
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeRFC5987(cleaned)}`
}

/** The disposition a request asks for: `?download=true` saves, `?filename=` alone names what the browser shows. */
export function requestedDisposition (query: { filename?: string, download?: string }, fallbackName: string): string | undefined {
  const named = query.filename != null && query.filename !== '' ? query.filename : undefined
  if (query.download === 'true') return contentDisposition('attachment', named ?? fallbackName)
  if (named != null) return contentDisposition('inline', named)
  return undefined
}

function encodeRFC5987 (value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}
