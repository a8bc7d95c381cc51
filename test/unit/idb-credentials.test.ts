import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { IDBCredentialStore } from '../../src/node/credentials/credential-store.ts'
import { Credentials } from '../../src/node/credentials/credentials.ts'

const SECRET = 'kJ7pQ2vX9mN4bR8tY1wE5zA3cF6hL0sD'

async function rawRecords (name: string): Promise<unknown[]> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(name)
    req.onsuccess = () => { resolve(req.result) }
    req.onerror = () => { reject(req.error) }
  })
  const all = await new Promise<unknown[]>((resolve) => {
    const req = db.transaction('records').objectStore('records').getAll()
    req.onsuccess = () => { resolve(req.result) }
  })
  db.close()
  return all
}

describe('credentials in IndexedDB', () => {
  it('keep only ciphertext on disk, and decrypt after the store is reopened', async () => {
    const name = `creds-${Math.random()}`
    const store = new IDBCredentialStore(name)
    await store.open()
    await new Credentials(store).add({ service: 'storacha', name: 'main', values: { api_token: SECRET } })
    await store.close()

    const records = await rawRecords(name)
    expect(records).toHaveLength(1)
    const bytes = records[0] as { ciphertext: Uint8Array, public: object }
    expect(Buffer.from(bytes.ciphertext).includes(Buffer.from(SECRET))).toBe(false)
    expect(JSON.stringify(records)).not.toContain(SECRET)

    const reopened = new IDBCredentialStore(name)
    await reopened.open()
    const key = await reopened.getKey()
    expect(key).toMatchObject({ kind: 'plain' })
    expect((key as { key: CryptoKey }).key.extractable).toBe(false)
    expect((await new Credentials(reopened).use('storacha', 'main')).values.api_token).toBe(SECRET)
    await reopened.close()
  })
})
