/** Promise forms of IndexedDB's request and transaction events, shared by the project's stores. */

export async function request<T> (req: IDBRequest<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    req.onsuccess = () => { resolve(req.result) }
    req.onerror = () => { reject(req.error ?? new Error('IndexedDB request failed')) }
  })
}

export async function transactionDone (tx: IDBTransaction): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => { resolve() }
    tx.onerror = () => { reject(tx.error ?? new Error('IndexedDB transaction failed')) }
    tx.onabort = () => { reject(tx.error ?? new Error('IndexedDB transaction aborted')) }
  })
}

/** Opens (creating or upgrading with `upgrade`, told the version it was at: 0 when new) a database. */
export async function openDatabase (name: string, version: number, upgrade: (db: IDBDatabase, tx: IDBTransaction, oldVersion: number) => void): Promise<IDBDatabase> {
  const req = indexedDB.open(name, version)
  req.onupgradeneeded = (event) => { upgrade(req.result, req.transaction!, event.oldVersion) }
  return request(req)
}

/** Deletes a database; resolves once it is gone, or once the delete waits on a connection another tab holds (it happens when that closes). */
export async function deleteDatabase (name: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name)
    req.onsuccess = () => { resolve() }
    req.onblocked = () => { resolve() }
    req.onerror = () => { reject(req.error ?? new Error(`could not delete the database ${name}`)) }
  })
}
