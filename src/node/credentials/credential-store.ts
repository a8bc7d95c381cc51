/**
 * Where credentials are kept: IndexedDB in the browser, memory in tests.
 * Records hold their secret fields only as AES-GCM ciphertext; the key
 * record is the data key itself (a non-extractable CryptoKey) or, with a
 * passphrase, that key wrapped under one derived from the passphrase.
 */
import { openDatabase, request, transactionDone } from '../stores/idb.ts'

/** What may be shown of a credential: never a secret. */
export interface CredentialMetadata {
  id: string
  service: string
  name: string
  credential_type: string
  /** Unix ms. */
  added_at: number
  last_used: number | null
  use_count: number
}

export interface StoredCredential extends CredentialMetadata {
  /** Fields that are not secret, in clear. */
  public: Record<string, string>
  /** Names of the secret fields held (never their values). */
  secret_fields: string[]
  /** 12 random bytes, fresh for every encryption. */
  iv: Uint8Array
  /** AES-GCM of the secret fields as JSON; the service and name are its additional data. */
  ciphertext: Uint8Array
}

export type KeyRecord =
  | { kind: 'plain', key: CryptoKey }
  | { kind: 'wrapped', salt: Uint8Array, iterations: number, wrapped: Uint8Array }

export interface CredentialStore {
  list(): Promise<StoredCredential[]>
  get(service: string, name: string): Promise<StoredCredential | undefined>
  put(record: StoredCredential): Promise<void>
  delete(service: string, name: string): Promise<boolean>
  getKey(): Promise<KeyRecord | undefined>
  putKey(key: KeyRecord): Promise<void>
  /** Swaps the key and every record in one transaction (re-encryption under a new key). */
  replaceAll(key: KeyRecord, records: StoredCredential[]): Promise<void>
  close(): Promise<void>
}

const keyOf = (service: string, name: string): string => `${service}\u0000${name}`

export class MemoryCredentialStore implements CredentialStore {
  readonly records = new Map<string, StoredCredential>()
  key?: KeyRecord

  async list (): Promise<StoredCredential[]> {
    return [...this.records.values()].map(r => structuredClone(r))
  }

  async get (service: string, name: string): Promise<StoredCredential | undefined> {
    const r = this.records.get(keyOf(service, name))
    return r == null ? undefined : structuredClone(r)
  }

  async put (record: StoredCredential): Promise<void> {
    this.records.set(keyOf(record.service, record.name), structuredClone(record))
  }

  async delete (service: string, name: string): Promise<boolean> {
    return this.records.delete(keyOf(service, name))
  }

  async getKey (): Promise<KeyRecord | undefined> {
    return this.key
  }

  async putKey (key: KeyRecord): Promise<void> {
    this.key = key
  }

  async replaceAll (key: KeyRecord, records: StoredCredential[]): Promise<void> {
    this.key = key
    this.records.clear()
    for (const r of records) this.records.set(keyOf(r.service, r.name), structuredClone(r))
  }

  async close (): Promise<void> {}
}

const RECORDS = 'records'
const VAULT = 'vault'
const KEY = 'data-key'

export class IDBCredentialStore implements CredentialStore {
  private readonly name: string
  private db?: IDBDatabase

  constructor (name: string) {
    this.name = name
  }

  async open (): Promise<void> {
    this.db = await openDatabase(this.name, 1, (db) => {
      db.createObjectStore(RECORDS)
      db.createObjectStore(VAULT)
    })
  }

  async close (): Promise<void> {
    this.db?.close()
    this.db = undefined
  }

  async list (): Promise<StoredCredential[]> {
    return request(this.tx(RECORDS, 'readonly').objectStore(RECORDS).getAll()) as Promise<StoredCredential[]>
  }

  async get (service: string, name: string): Promise<StoredCredential | undefined> {
    return request(this.tx(RECORDS, 'readonly').objectStore(RECORDS).get(keyOf(service, name))) as Promise<StoredCredential | undefined>
  }

  async put (record: StoredCredential): Promise<void> {
    const tx = this.tx(RECORDS, 'readwrite')
    tx.objectStore(RECORDS).put(record, keyOf(record.service, record.name))
    await transactionDone(tx)
  }

  async delete (service: string, name: string): Promise<boolean> {
    const tx = this.tx(RECORDS, 'readwrite')
    const store = tx.objectStore(RECORDS)
    const key = keyOf(service, name)
    const existed = (await request(store.count(key))) > 0
    store.delete(key)
    await transactionDone(tx)
    return existed
  }

  async getKey (): Promise<KeyRecord | undefined> {
    return request(this.tx(VAULT, 'readonly').objectStore(VAULT).get(KEY)) as Promise<KeyRecord | undefined>
  }

  async putKey (key: KeyRecord): Promise<void> {
    const tx = this.tx(VAULT, 'readwrite')
    tx.objectStore(VAULT).put(key, KEY)
    await transactionDone(tx)
  }

  async replaceAll (key: KeyRecord, records: StoredCredential[]): Promise<void> {
    const tx = this.tx([RECORDS, VAULT], 'readwrite', 'strict')
    tx.objectStore(VAULT).put(key, KEY)
    const store = tx.objectStore(RECORDS)
    store.clear()
    for (const r of records) store.put(r, keyOf(r.service, r.name))
    await transactionDone(tx)
  }

  private tx (stores: string | string[], mode: IDBTransactionMode, durability: 'strict' | 'default' = 'strict'): IDBTransaction {
    if (this.db == null) throw new Error('the credential store is not open')
    return this.db.transaction(stores, mode, { durability })
  }
}
