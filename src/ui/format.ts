/** How figures are written for a person: binary units, short durations, local times. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']

export function formatBytes (n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '—'
  let value = n
  let i = 0
  while (Math.abs(value) >= 1024 && i < UNITS.length - 1) { value /= 1024; i++ }
  return `${value.toFixed(i === 0 ? 0 : 1)} ${UNITS[i]}`
}

export function formatRate (bytesPerSecond: number | null | undefined): string {
  return bytesPerSecond == null ? '—' : `${formatBytes(bytesPerSecond)}/s`
}

export function formatDuration (seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '—'
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`
  if (seconds < 60) return `${Math.round(seconds)} s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`
}

/** A Unix time in seconds or milliseconds (told apart by size) as a local date and time. */
export function formatTime (unix: number | null | undefined): string {
  if (unix == null) return '—'
  const ms = unix < 1e12 ? unix * 1000 : unix
  return new Date(ms).toLocaleString()
}

export function formatPercent (ratio: number | null | undefined): string {
  return ratio == null ? '—' : `${(ratio * 100).toFixed(1)} %`
}

/** A long identifier cut in the middle, for tables; the full value goes in a title. */
export function shorten (text: string, keep = 10): string {
  return text.length <= keep * 2 + 1 ? text : `${text.slice(0, keep)}…${text.slice(-keep)}`
}
