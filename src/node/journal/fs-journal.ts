import type { CarriedBlock, EntryData, EntryQuery, EntryStatus, JournalEntry, JournalStore, OperationType } from './types.ts'
import { ENTRY_STATUSES } from './types.ts'

/** One step of a transaction, as planned before it is applied. */
export interface PlannedEntry {
  operation_type: OperationType
  path: string
  data: EntryData
}

export interface RecoveryAction {
  transaction_id: string
  operations: string[]
  action: 'reapplied' | 'rolled_back'
  result_cid?: string
  error?: string
}

export interface RecoveryReport {
  /** Unix ms when recovery ran. */
  at: number
  duration_ms: number
  pending_transactions: number
  reapplied: number
  rolled_back: number
  actions: RecoveryAction[]
}

/** Re-applies a transaction's entries to `baseRoot`, returning the new root. */
export type Replay = (baseRoot: string, entries: JournalEntry[]) => Promise<string>

/** Blocks a change's journal transactions store with its entries (only where `FsJournal.carriesBlocks`). */
export interface Carry {
  /** Stored with the entries: the content the change links to. */
  append?: CarriedBlock[]
  /** Stored with the settle, asked for once the change is applied: the blocks it wrote. */
  settle?: () => CarriedBlock[]
}

export interface FsJournalInit {
  /** Write a checkpoint after this many completed transactions. */
  checkpointEvery?: number
  /** Checkpoints kept; settled entries older than the oldest kept one are compacted away. */
  keepCheckpoints?: number
}

const DEFAULT_CHECKPOINT_EVERY = 256
const DEFAULT_KEEP_CHECKPOINTS = 2

/**
 * The write-ahead journal of the mutable file system: every change is
 * recorded as pending before it can take effect (its entries are stored
 * before the root moves) and settled, together with the move of the MFS
 * root, once it is applied. Recovery finishes or rolls back what a crash
 * left pending.
 */
export class FsJournal {
  private readonly store: JournalStore
  private readonly checkpointEvery: number
  private readonly keepCheckpoints: number
  private sinceCheckpoint = 0
  private lastRecovery?: RecoveryReport

  constructor (store: JournalStore, init: FsJournalInit = {}) {
    this.store = store
    this.checkpointEvery = init.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY
    this.keepCheckpoints = init.keepCheckpoints ?? DEFAULT_KEEP_CHECKPOINTS
  }

  async root (): Promise<string | undefined> {
    return this.store.root()
  }

  /** Whether `run` can carry a change's blocks in the journal's own transactions (JournalStore.carriesBlocks). */
  get carriesBlocks (): boolean {
    return this.store.carriesBlocks === true
  }

  /** Sets the root without a transaction: only for the very first, empty root. */
  async initialize (root: string): Promise<void> {
    const [entry] = await this.store.append([{ operation_type: 'checkpoint', path: '/', data: { reason: 'initial' }, transaction_id: crypto.randomUUID(), origin: 'mfs', result_cid: root, status: 'pending' }])
    await this.store.settle(entry.transaction_id, { status: 'completed', result_cid: root }, root)
  }

  /**
   * Journals `planned` as one transaction from `baseRoot`, applies it, and
   * settles it with the new root. If `apply` throws, the transaction is
   * marked failed and the root stays where it was.
   *
   * The entries are written while the change is applied, not before: what
   * the journal guards is the root, which moves only when the transaction
   * settles, after its entries are stored. A crash in between leaves blocks
   * no root reaches (garbage collection takes them) and, if the entries were
   * stored, a pending transaction that recovery applies again. This saves a
   * store transaction's wait on every change. Where the store carries blocks,
   * `carry` gives the ones the append and the settle store in their own
   * transactions: the change then needs none of its own.
   */
  async run (planned: PlannedEntry[], baseRoot: string, apply: () => Promise<string>, carry: Carry = {}): Promise<string> {
    if ((carry.append != null || carry.settle != null) && !this.carriesBlocks) throw new Error('this journal\'s store keeps no blocks')
    const transactionId = crypto.randomUUID()
    // the settle below is what makes the change durable, and these entries with it: one flush to disk a change, not two
    const appended = this.store.append(planned.map(p => ({ ...p, transaction_id: transactionId, origin: 'mfs', base_root: baseRoot })), { durable: false, blocks: carry.append })
    // awaited below; a failure to journal is that error, whatever the change did
    appended.catch(() => {})
    const started = performance.now()
    let root: string
    try {
      root = await apply()
    } catch (err) {
      // the change's own error is the one to report; its entries are settled if they were stored
      if (await appended.then(() => true, () => false)) {
        await this.store.settle(transactionId, { status: 'failed', error: (err as Error).message, duration_ms: performance.now() - started })
      }
      throw err
    }
    const entries = await appended
    try {
      await this.store.settle(transactionId, { status: 'completed', result_cid: root, duration_ms: performance.now() - started }, root, entries, carry.settle?.())
    } catch (err) {
      // the change was reported failed: not one for recovery to apply after all (a carried block
      // the store refused, say); if this fails too, recovery finds it pending and applies it
      await this.store.settle(transactionId, { status: 'failed', error: (err as Error).message, duration_ms: performance.now() - started }, undefined, entries).catch(() => {})
      throw err
    }
    if (++this.sinceCheckpoint >= this.checkpointEvery) await this.checkpoint('automatic')
    return root
  }

  /** Records an application-level entry; it is kept and listed, never replayed. */
  async record (entry: PlannedEntry & { status?: EntryStatus }): Promise<JournalEntry> {
    const [added] = await this.store.append([{ ...entry, transaction_id: crypto.randomUUID(), origin: 'application', status: entry.status ?? 'completed' }])
    return added
  }

  /** Records the current root as a checkpoint and compacts settled entries older than the kept checkpoints. */
  async checkpoint (reason = 'requested'): Promise<{ entry: JournalEntry, compacted: number }> {
    const root = await this.store.root()
    const [entry] = await this.store.append([{ operation_type: 'checkpoint', path: '/', data: { reason }, transaction_id: crypto.randomUUID(), origin: 'mfs', result_cid: root, status: 'completed' }])
    this.sinceCheckpoint = 0
    const checkpoints = (await this.store.entries({ ascending: false }))
      .filter(e => e.operation_type === 'checkpoint' && e.origin === 'mfs')
    const oldestKept = checkpoints[Math.min(this.keepCheckpoints, checkpoints.length) - 1]
    const compacted = oldestKept != null ? await this.store.compact(oldestKept.seq) : 0
    return { entry, compacted }
  }

  /**
   * Settles every pending transaction, oldest first: MFS transactions are
   * re-applied from their recorded inputs (each is a pure function of its
   * base root and inputs, so re-applying is safe) and completed, or rolled
   * back when that fails; application entries, which nothing can re-apply,
   * are rolled back.
   */
  async recover (replay: Replay): Promise<RecoveryReport> {
    const started = performance.now()
    const pending = await this.store.entries({ status: 'pending', ascending: true })
    const transactions = new Map<string, JournalEntry[]>()
    for (const entry of pending) {
      const list = transactions.get(entry.transaction_id) ?? []
      list.push(entry)
      transactions.set(entry.transaction_id, list)
    }
    const actions: RecoveryAction[] = []
    for (const [transactionId, entries] of transactions) {
      const operations = entries.map(e => `${e.operation_type} ${e.path}`)
      const base = await this.store.root()
      try {
        if (entries[0].origin !== 'mfs') throw new Error('application entries cannot be re-applied')
        if (base == null || base !== entries[0].base_root) {
          throw new Error(`the MFS root moved since this transaction began (${entries[0].base_root ?? 'none'} → ${base ?? 'none'})`)
        }
        const root = await replay(base, entries)
        await this.store.settle(transactionId, { status: 'completed', result_cid: root, error: 'completed by recovery' }, root)
        actions.push({ transaction_id: transactionId, operations, action: 'reapplied', result_cid: root })
      } catch (err) {
        const message = (err as Error).message
        await this.store.settle(transactionId, { status: 'rolled_back', error: `rolled back by recovery: ${message}` })
        actions.push({ transaction_id: transactionId, operations, action: 'rolled_back', error: message })
      }
    }
    this.lastRecovery = {
      at: Date.now(),
      duration_ms: performance.now() - started,
      pending_transactions: transactions.size,
      reapplied: actions.filter(a => a.action === 'reapplied').length,
      rolled_back: actions.filter(a => a.action === 'rolled_back').length,
      actions
    }
    return this.lastRecovery
  }

  async entries (query?: EntryQuery): Promise<JournalEntry[]> {
    return this.store.entries(query)
  }

  /** One page of entries and how many match in all, so a listing can page through them. */
  async page (query: EntryQuery = {}): Promise<{ entries: JournalEntry[], total: number }> {
    const [entries, total] = await Promise.all([this.store.entries(query), this.store.count(query)])
    return { entries, total }
  }

  async status (): Promise<Record<string, unknown>> {
    const all = await this.store.entries({ ascending: false })
    const counts = Object.fromEntries(ENTRY_STATUSES.map(s => [s, all.filter(e => e.status === s).length]))
    const last = all.find(e => e.operation_type === 'checkpoint' && e.origin === 'mfs')
    const size = await this.store.size()
    return {
      enabled: true,
      entries: size.entries,
      journal_bytes: size.bytes,
      counts_by_status: counts,
      last_checkpoint: last != null ? { seq: last.seq, timestamp: last.timestamp, root_cid: last.result_cid ?? null } : null,
      root_cid: await this.store.root() ?? null
    }
  }

  async stats (): Promise<Record<string, unknown>> {
    const all = await this.store.entries({ ascending: true })
    const byType: Record<string, Record<string, number>> = {}
    for (const e of all) {
      byType[e.operation_type] ??= Object.fromEntries(ENTRY_STATUSES.map(s => [s, 0]))
      byType[e.operation_type][e.status]++
    }
    // one apply time per transaction (all its entries carry the same one)
    const durations = new Map<string, number>()
    for (const e of all) if (e.status === 'completed' && e.duration_ms != null) durations.set(e.transaction_id, e.duration_ms)
    const times = [...durations.values()]
    return {
      by_operation_type: byType,
      counts_by_status: Object.fromEntries(ENTRY_STATUSES.map(s => [s, all.filter(e => e.status === s).length])),
      transactions_completed: times.length,
      mean_apply_ms: times.length > 0 ? times.reduce((a, b) => a + b, 0) / times.length : null,
      last_recovery: this.lastRecovery ?? null
    }
  }
}
