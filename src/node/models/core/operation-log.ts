/** One handled request, as the operations log keeps it. */
export interface OperationRecord {
  operation: string
  method: string
  path: string
  status: number
  duration_ms: number
  /** Unix seconds (float) when the request arrived. */
  timestamp: number
  error?: string
  error_type?: string
}

export const DEFAULT_OPERATION_LOG_CAPACITY = 1000

/** The most recent operations, oldest dropped first. */
export class OperationLog {
  private readonly capacity: number
  private readonly records: OperationRecord[] = []
  private next = 0
  private total = 0

  constructor (capacity = DEFAULT_OPERATION_LOG_CAPACITY) {
    this.capacity = capacity
  }

  record (entry: OperationRecord): void {
    if (this.records.length < this.capacity) {
      this.records.push(entry)
    } else {
      this.records[this.next] = entry
    }
    this.next = (this.next + 1) % this.capacity
    this.total++
  }

  /** Newest first. */
  recent (limit = this.capacity): OperationRecord[] {
    const ordered = this.records.length < this.capacity
      ? this.records.slice()
      : [...this.records.slice(this.next), ...this.records.slice(0, this.next)]
    return ordered.reverse().slice(0, Math.max(0, limit))
  }

  /** Every operation handled since start, including those dropped from the buffer. */
  get count (): number {
    return this.total
  }
}
