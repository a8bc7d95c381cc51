import type { AppendOptions, CarriedBlock, EntryQuery, JournalEntry, JournalStore, NewEntry, Settlement } from './types.ts'
import type { WorkerBlockstore } from '../stores/worker-blockstore.ts'

/**
 * The page's side of the journal kept in the block worker's IndexedDB
 * database, beside the blocks (IDBRepoBlockstore.journal): an append or a
 * settle stores the blocks it is given in its own transaction. A small MFS
 * write then costs two store transactions, content with its entries and
 * directories with the settle, where a journal of its own added two more to
 * the blocks' two (measured: 1000 writes took 1.3–1.4× as long journaled).
 */
export class WorkerJournalStore implements JournalStore {
  readonly carriesBlocks = true
  private readonly blocks: WorkerBlockstore

  constructor (blocks: WorkerBlockstore) {
    this.blocks = blocks
  }

  async append (entries: NewEntry[], options: AppendOptions = {}): Promise<JournalEntry[]> {
    const { blocks, ...rest } = options
    return this.blocks.callJournal({ method: 'append', args: [entries, rest] }, blocks)
  }

  async settle (transactionId: string, settlement: Settlement, root?: string, appended?: JournalEntry[], blocks?: CarriedBlock[]): Promise<void> {
    await this.blocks.callJournal({ method: 'settle', args: [transactionId, settlement, root, appended] }, blocks)
  }

  async root (): Promise<string | undefined> {
    return this.blocks.callJournal({ method: 'root', args: [] })
  }

  async entries (query?: EntryQuery): Promise<JournalEntry[]> {
    return this.blocks.callJournal({ method: 'entries', args: [query] })
  }

  async count (query?: EntryQuery): Promise<number> {
    return this.blocks.callJournal({ method: 'count', args: [query] })
  }

  async compact (beforeSeq: number): Promise<number> {
    return this.blocks.callJournal({ method: 'compact', args: [beforeSeq] })
  }

  async size (): Promise<{ entries: number, bytes: number }> {
    return this.blocks.callJournal({ method: 'size', args: [] })
  }

  /** Nothing of its own: the database closes with the blockstore. */
  async close (): Promise<void> {}
}
