import type { CID } from 'multiformats/cid'

/** What a journal entry records. */
export const OPERATION_TYPES = ['create', 'write', 'truncate', 'delete', 'rename', 'copy', 'metadata', 'checkpoint', 'mount', 'unmount'] as const
export type OperationType = typeof OPERATION_TYPES[number]

export const ENTRY_STATUSES = ['pending', 'completed', 'failed', 'rolled_back'] as const
export type EntryStatus = typeof ENTRY_STATUSES[number]

/** Who wrote an entry: the MFS model (replayed on recovery) or an application through the API (recorded only). */
export type EntryOrigin = 'mfs' | 'application'

/** Small parameters of an operation; content is referenced by CID, never inlined. */
export type EntryData = Record<string, string | number | boolean | null>

export interface JournalEntry {
  entry_id: string
  /** Position in the journal, increasing. */
  seq: number
  /** Unix ms when the entry was recorded. */
  timestamp: number
  operation_type: OperationType
  path: string
  data: EntryData
  status: EntryStatus
  transaction_id: string
  origin: EntryOrigin
  /** MFS root the transaction started from. */
  base_root?: string
  /** MFS root after the transaction (or, for a checkpoint, at it). */
  result_cid?: string
  error?: string
  /** How long applying the transaction took. */
  duration_ms?: number
  /** Unix ms when the entry reached its final status. */
  settled_at?: number
}

export type NewEntry = Omit<JournalEntry, 'seq' | 'status' | 'entry_id' | 'timestamp'> & { status?: EntryStatus }

export interface EntryQuery {
  status?: EntryStatus
  operation_type?: OperationType
  /** Entries whose path is this one or lies under it. */
  path?: string
  /** Entries recorded at or after this Unix ms. */
  since?: number
  /** Skips this many matching entries, counted in the listing's order, before `limit` applies. */
  offset?: number
  limit?: number
  /** Oldest first (recovery) instead of newest first (listing). */
  ascending?: boolean
}

export interface Settlement {
  status: Exclude<EntryStatus, 'pending'>
  result_cid?: string
  error?: string
  duration_ms?: number
}

/** A block a journal store writes in the same transaction as its entries (see `JournalStore.carriesBlocks`). */
export interface CarriedBlock {
  cid: CID
  bytes: Uint8Array
}

export interface AppendOptions {
  /**
   * False when a later, durable step (a settle) follows before anything is
   * acknowledged: the entries may then reach the disk with that step rather
   * than wait for a flush of their own. True (the default) otherwise.
   */
  durable?: boolean
  /** Blocks stored with the entries, in the same transaction (only a store that `carriesBlocks`). */
  blocks?: CarriedBlock[]
}

/**
 * Where the journal and the MFS root live. Settling a transaction and moving
 * the root happen in one atomic step, so the root never reflects a change the
 * journal does not show as completed.
 */
export interface JournalStore {
  /**
   * True when the journal lives with the blocks (the block database's
   * worker) and can store blocks in the same transaction as its own writes:
   * a change then costs no store transaction of its own beyond the blocks'.
   */
  readonly carriesBlocks?: boolean
  append(entries: NewEntry[], options?: AppendOptions): Promise<JournalEntry[]>
  /**
   * Settles every pending entry of a transaction; when `root` is given, moves
   * the MFS root in the same step. `appended`, the transaction's entries as
   * `append` gave them, spares the store looking them up; `blocks` are
   * stored in the same step (only a store that `carriesBlocks`).
   */
  settle(transactionId: string, settlement: Settlement, root?: string, appended?: JournalEntry[], blocks?: CarriedBlock[]): Promise<void>
  root(): Promise<string | undefined>
  entries(query?: EntryQuery): Promise<JournalEntry[]>
  /** How many entries match the query's filters (its offset and limit ignored). */
  count(query?: EntryQuery): Promise<number>
  /** Deletes settled entries older than `seq`; returns how many. */
  compact(beforeSeq: number): Promise<number>
  /** Entries and approximate bytes held. */
  size(): Promise<{ entries: number, bytes: number }>
  close(): Promise<void>
}
