export interface OperationStats {
  count: number
  errors: number
  bytes_in: number
  bytes_out: number
  latency_ms: { p50: number | null, p95: number | null }
}

interface Counters {
  count: number
  errors: number
  bytesIn: number
  bytesOut: number
  latencies: number[]
  nextLatency: number
}

/** Latencies kept per operation for the percentiles. */
const LATENCY_WINDOW = 1000

/** Per-operation counts, errors, bytes and latency percentiles since start. */
export class RequestStats {
  private readonly byOperation = new Map<string, Counters>()

  record (operation: string, durationMs: number, failed: boolean, bytesIn: number): void {
    const c = this.counters(operation)
    c.count++
    if (failed) c.errors++
    c.bytesIn += bytesIn
    if (c.latencies.length < LATENCY_WINDOW) {
      c.latencies.push(durationMs)
    } else {
      c.latencies[c.nextLatency] = durationMs
      c.nextLatency = (c.nextLatency + 1) % LATENCY_WINDOW
    }
  }

  addBytesOut (operation: string, bytes: number): void {
    this.counters(operation).bytesOut += bytes
  }

  snapshot (): { operations: Record<string, OperationStats>, totals: OperationStats } {
    const operations: Record<string, OperationStats> = {}
    const all: number[] = []
    const totals = { count: 0, errors: 0, bytes_in: 0, bytes_out: 0 }
    for (const [name, c] of this.byOperation) {
      operations[name] = { count: c.count, errors: c.errors, bytes_in: c.bytesIn, bytes_out: c.bytesOut, latency_ms: percentiles(c.latencies) }
      totals.count += c.count
      totals.errors += c.errors
      totals.bytes_in += c.bytesIn
      totals.bytes_out += c.bytesOut
      all.push(...c.latencies)
    }
    return { operations, totals: { ...totals, latency_ms: percentiles(all) } }
  }

  private counters (operation: string): Counters {
    let c = this.byOperation.get(operation)
    if (c == null) {
      c = { count: 0, errors: 0, bytesIn: 0, bytesOut: 0, latencies: [], nextLatency: 0 }
      this.byOperation.set(operation, c)
    }
    return c
  }
}

function percentiles (values: number[]): { p50: number | null, p95: number | null } {
  if (values.length === 0) return { p50: null, p95: null }
  const sorted = values.slice().sort((a, b) => a - b)
  const at = (q: number): number => round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)])
  return { p50: at(0.5), p95: at(0.95) }
}

function round (n: number): number {
  return Math.round(n * 1000) / 1000
}
