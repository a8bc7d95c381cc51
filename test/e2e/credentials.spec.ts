import { expect, test } from '@playwright/test'
import { call, openApp } from './helpers.ts'

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY'

test('a credential survives a reload, encrypted in IndexedDB under a key the page cannot export', async ({ context }) => {
  const page = await openApp(context)
  const added = await call(page, '/credentials/s3', { json: { name: 'backup', aws_access_key_id: 'AKIAIOSFODNN7EXAMPLE', aws_secret_access_key: SECRET, region: 'eu-west-1' } })
  expect(added.status).toBe(200)
  expect(JSON.stringify(added)).not.toContain(SECRET)

  const stored = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('mcp-node/credentials')
      req.onsuccess = () => { resolve(req.result) }
      req.onerror = () => { reject(req.error) }
    })
    const read = async (store: string): Promise<unknown[]> => new Promise((resolve) => {
      const req = db.transaction(store).objectStore(store).getAll()
      req.onsuccess = () => { resolve(req.result) }
    })
    const [records, keys] = await Promise.all([read('records'), read('vault')])
    db.close()
    const record = records[0] as { ciphertext: Uint8Array, public: Record<string, string> }
    const key = (keys[0] as { key: CryptoKey }).key
    const exported = await crypto.subtle.exportKey('raw', key).then(() => 'exported', (err: Error) => err.name)
    return {
      count: records.length,
      cipher: [...record.ciphertext],
      public: record.public,
      keyType: key.constructor.name,
      extractable: key.extractable,
      exported
    }
  })
  expect(stored).toMatchObject({ count: 1, public: { aws_access_key_id: 'AKIAIOSFODNN7EXAMPLE', region: 'eu-west-1' }, keyType: 'CryptoKey', extractable: false, exported: 'InvalidAccessError' })
  expect(Buffer.from(stored.cipher).includes(Buffer.from(SECRET))).toBe(false)

  await page.reload()
  await expect(page.getByRole('banner').getByRole('status')).toHaveText('The node is up.')
  const info = await call(page, '/credentials/info?service=s3&name=backup')
  expect(info.json.credential.fields.aws_secret_access_key).toEqual({ secret: true, present: true, masked: '********EKEY' })
})
