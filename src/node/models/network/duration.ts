import { InvalidParametersError } from '../../errors.ts'

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** A Go-style duration as Kubo takes them (`24h`, `1h30m`, `90s`, `500ms`) in milliseconds. */
export function parseDuration (text: string, field: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)]
  const consumed = parts.map(p => p[0]).join('')
  if (parts.length === 0 || consumed !== text.trim()) {
    throw new InvalidParametersError(`${field} "${text}" is not a duration like 24h, 1h30m, 90s or 500ms`)
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * UNIT_MS[p[2]], 0)
}
