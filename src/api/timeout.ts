/** Dependency-free so the service worker can share it: `?timeout=` as ms, or undefined when malformed. */
export const DEFAULT_TIMEOUT_MS = 60_000

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** A number of milliseconds, or a number with a unit (`500ms`, `5s`, `2m`, `1h`). */
export function timeoutMs (text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  return match == null ? undefined : Number(match[1]) * UNIT_MS[match[2] ?? 'ms']
}
