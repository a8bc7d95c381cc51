import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Credentials, maskSecret } from '../../src/node/credentials/credentials.ts'
import { MemoryCredentialStore } from '../../src/node/credentials/credential-store.ts'
import { postJson, startTestApi } from './helpers.ts'
import type { TestApi } from './helpers.ts'

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY'
const S3 = { name: 'backup', aws_access_key_id: 'AKIAIOSFODNN7EXAMPLE', aws_secret_access_key: SECRET, region: 'eu-west-1' }

describe('credentials API', () => {
  let api: TestApi
  let store: MemoryCredentialStore
  beforeEach(async () => {
    api = await startTestApi()
    store = (api.node.credentials as unknown as { store: MemoryCredentialStore }).store
  })
  afterEach(async () => { await api.stop() })

  it('adds, lists, shows (secrets masked) and deletes', async () => {
    const types = await api.json('/credentials/types')
    expect(types.body.types.find((t: { type: string }) => t.type === 's3').fields).toContainEqual(expect.objectContaining({ name: 'aws_secret_access_key', secret: true, required: true }))

    const added = await api.json('/credentials/s3', postJson(S3))
    expect(added.status).toBe(200)
    expect(added.body.credential).toMatchObject({ service: 's3', name: 'backup', credential_type: 's3', use_count: 0, last_used: null })
    await api.json('/credentials/add', postJson({ service: 'storacha', name: 'main', values: { api_token: 'token-123456789', space_did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK' } }))

    const list = await api.json('/credentials')
    expect(list.body.count).toBe(2)
    expect(list.body.credentials.map((c: { service: string, name: string }) => `${c.service}/${c.name}`)).toEqual(['s3/backup', 'storacha/main'])
    expect((await api.json('/credentials/list?service=s3')).body.count).toBe(1)

    const info = await api.json('/credentials/info?service=s3&name=backup')
    expect(info.body.credential.fields).toEqual({
      aws_access_key_id: { secret: false, present: true, value: 'AKIAIOSFODNN7EXAMPLE' },
      aws_secret_access_key: { secret: true, present: true, masked: '********EKEY' },
      endpoint_url: { secret: false, present: false },
      region: { secret: false, present: true, value: 'eu-west-1' }
    })
    expect((await api.json('/credentials/s3/backup')).body.credential.fields).toEqual(info.body.credential.fields)

    expect((await api.json('/credentials/s3', postJson(S3))).status).toBe(409)
    expect((await api.json('/credentials/s3', postJson({ ...S3, region: 'us-east-1', overwrite: true }))).body.credential.id).toBe(added.body.credential.id)

    const deleted = await api.json('/credentials/s3/backup', { method: 'DELETE' })
    expect(deleted.body).toMatchObject({ deleted: true, credential: { service: 's3', name: 'backup' } })
    expect((await api.json('/credentials/s3/backup')).status).toBe(404)
    expect((await api.json('/credentials/delete', postJson({ service: 'storacha', name: 'main' }))).body.deleted).toBe(true)
    expect((await api.json('/credentials')).body.count).toBe(0)
  })

  it('refuses malformed values with a 400 that names the field', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['/credentials/s3', { name: 'x', aws_access_key_id: 'AKIAIOSFODNN7EXAMPLE' }, 'values.aws_secret_access_key: required'],
      ['/credentials/s3', { ...S3, region: 'Europe West' }, 'values.region: expected a region'],
      ['/credentials/s3', { ...S3, endpoint_url: 'ftp://x' }, 'values.endpoint_url'],
      ['/credentials/s3', { ...S3, colour: 'red' }, 'values.colour: not a field of s3'],
      ['/credentials/storacha', { name: 'x', api_token: 'token-123456789', space_did: 'did:web:example.com' }, 'values.space_did: expected a did:key'],
      ['/credentials/filecoin', { name: 'x', api_key: 'key-12345678', wallet_address: 'x1abc' }, 'values.wallet_address'],
      ['/credentials/ipfs', { name: 'x', identity: 'not-a-peer' }, 'values.identity'],
      ['/credentials/add', { service: 'ipfs_cluster', name: 'x', values: { cluster_secret: 'abc' } }, 'values.cluster_secret: expected 64 hexadecimal'],
      ['/credentials/add', { service: 'S3!', name: 'x', values: {} }, 'service:'],
      ['/credentials/add', { service: 'mine', name: 'x', values: {} }, 'values: a generic credential needs at least one value'],
      ['/credentials/add', { service: 's3', name: 'x' }, 'body field "values"']
    ]
    for (const [path, body, message] of cases) {
      const r = await api.json(path, postJson(body))
      expect([path, r.status]).toEqual([path, 400])
      expect(r.body.error).toContain(message)
    }
    expect((await api.json('/credentials/info?service=s3')).status).toBe(400)
    expect((await api.json('/credentials/info?service=s3&name=none')).status).toBe(404)
  })

  it('never lets a secret out: replies, headers, logs, operations, metrics; the store holds only ciphertext', async () => {
    const printed: string[] = []
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => { printed.push(args.map(a => a instanceof Error ? `${a.message} ${a.stack ?? ''}` : typeof a === 'string' ? a : JSON.stringify(a)).join(' ')) })
    }
    try {
      const seen: string[] = []
      const call = async (path: string, init?: RequestInit): Promise<void> => {
        const r = await api.request(path, init)
        seen.push(JSON.stringify([...r.headers]), await r.text())
      }
      await call('/credentials/s3', postJson(S3))
      await call('/credentials/add', postJson({ service: 'mine', name: 'a', values: { token: SECRET } }))
      await call('/credentials/s3', postJson(S3))
      await call('/credentials/s3', postJson({ ...S3, region: SECRET }))
      await call('/credentials/s3', postJson({ ...S3, [SECRET]: 'x' }))
      await call('/credentials/add', postJson({ service: 'mine', name: 'b', values: { [SECRET]: 1 } }))
      for (const path of ['/credentials', '/credentials/info?service=s3&name=backup', '/credentials/mine/a', '/credentials/status', '/operations', '/metrics', '/metrics/json', '/debug', '/ipfs/stats', '/openapi.json']) await call(path)
      const everything = [...seen, ...printed].join('\n')
      expect(everything).toContain('EKEY')
      expect(everything).not.toContain(SECRET)
      expect(everything).not.toContain(SECRET.slice(0, 12))
    } finally {
      vi.restoreAllMocks()
    }
    const raw = [...store.records.values()]
    expect(raw).toHaveLength(2)
    const secretBytes = new TextEncoder().encode(SECRET)
    for (const record of raw) {
      expect(JSON.stringify(record)).not.toContain(SECRET)
      expect(Buffer.from(record.ciphertext).includes(Buffer.from(secretBytes))).toBe(false)
      expect(record.iv.byteLength).toBe(12)
    }
    expect(Buffer.from(raw[0].iv).equals(Buffer.from(raw[1].iv))).toBe(false)
    expect(store.key).toMatchObject({ kind: 'plain' })
    expect((store.key as { key: CryptoKey }).key.extractable).toBe(false)
  })

  it('a tampered or moved record fails closed with a clear error', async () => {
    await api.json('/credentials/s3', postJson(S3))
    await api.json('/credentials/s3', postJson({ ...S3, name: 'other' }))
    const record = store.records.get('s3\u0000backup')!
    record.ciphertext[3] ^= 0x01
    const tampered = await api.json('/credentials/info?service=s3&name=backup')
    expect(tampered.status).toBe(422)
    expect(tampered.body).toMatchObject({ error_type: 'CredentialIntegrityError' })
    expect(tampered.body.error).toMatch(/s3\/backup does not decrypt/)
    await expect(api.node.credentials.use('s3', 'backup')).rejects.toMatchObject({ name: 'CredentialIntegrityError' })

    // the other record's ciphertext put under this name does not decrypt either (the name is bound in)
    const other = store.records.get('s3\u0000other')!
    store.records.set('s3\u0000backup', { ...other, name: 'backup' })
    expect((await api.json('/credentials/info?service=s3&name=backup')).status).toBe(422)
    expect((await api.json('/credentials/info?service=s3&name=other')).status).toBe(200)
  })

  it('the models (not the API) get the decrypted values, and a new session over the same store still reads them', async () => {
    await api.json('/credentials/s3', postJson(S3))
    const used = await api.node.credentials.use('s3', 'backup')
    expect(used.values).toEqual({ aws_access_key_id: S3.aws_access_key_id, aws_secret_access_key: SECRET, region: 'eu-west-1' })
    expect(used.use_count).toBe(1)
    expect((await api.json('/credentials/s3/backup')).body.credential).toMatchObject({ use_count: 1, last_used: expect.any(Number) })
    const again = new Credentials(store)
    expect((await again.use('s3', 'backup')).values.aws_secret_access_key).toBe(SECRET)
    const paths = Object.keys((await api.json('/openapi.json')).body.paths)
    expect(paths.filter(p => p.startsWith('/api/v0/mcp/credentials')).every(p => !/use|secret|decrypt/.test(p))).toBe(true)
  })

  it('a passphrase locks the store; unlocking with it (and only it) opens it again', async () => {
    await api.json('/credentials/s3', postJson(S3))
    expect((await api.json('/credentials/lock', { method: 'POST' })).status).toBe(400)
    expect((await api.json('/credentials/passphrase', postJson({ passphrase: 'short' }))).status).toBe(400)
    const set = await api.json('/credentials/passphrase', postJson({ passphrase: 'correct horse battery' }))
    expect(set.body).toMatchObject({ passphrase_set: true, locked: false, count: 1 })
    expect(store.key).toMatchObject({ kind: 'wrapped', iterations: 600_000 })
    expect((await api.json('/credentials/s3/backup')).body.credential.fields.aws_secret_access_key.masked).toBe('********EKEY')

    expect((await api.json('/credentials/lock', { method: 'POST' })).body).toMatchObject({ locked: true })
    const locked = await api.json('/credentials/s3/backup')
    expect(locked.body.credential.fields.aws_secret_access_key).toEqual({ secret: true, present: true, masked: null })
    expect((await api.json('/credentials/s3', postJson({ ...S3, name: 'second' }))).status).toBe(423)
    await expect(api.node.credentials.use('s3', 'backup')).rejects.toMatchObject({ name: 'CredentialsLockedError' })
    expect((await api.json('/credentials/unlock', postJson({ passphrase: 'wrong passphrase' }))).status).toBe(403)
    expect((await api.json('/credentials/unlock', postJson({ passphrase: 'correct horse battery' }))).body).toMatchObject({ locked: false })
    expect((await api.node.credentials.use('s3', 'backup')).values.aws_secret_access_key).toBe(SECRET)

    // a new session (a reload) starts locked
    const reloaded = new Credentials(store)
    expect(await reloaded.status()).toMatchObject({ passphrase_set: true, locked: true })
    await reloaded.unlock('correct horse battery')
    expect((await reloaded.use('s3', 'backup')).values.aws_secret_access_key).toBe(SECRET)

    expect((await api.json('/credentials/passphrase', postJson({ passphrase: null }))).body).toMatchObject({ passphrase_set: false, locked: false })
    expect(store.key).toMatchObject({ kind: 'plain' })
    expect((await new Credentials(store).use('s3', 'backup')).values.aws_secret_access_key).toBe(SECRET)
  })

  it('adds made while the passphrase is being set are neither lost nor left undecryptable', async () => {
    await api.json('/credentials/s3', postJson(S3))
    const credentials = api.node.credentials
    const values = (i: number): Record<string, string> => ({ api_token: `token-${i}-abcdefgh` })
    await Promise.all([
      credentials.setPassphrase('correct horse battery'),
      ...[1, 2, 3].map(async i => credentials.add({ service: 'storacha', name: `s${i}`, values: values(i) })),
      credentials.remove('s3', 'backup')
    ])
    expect((await credentials.list()).map(c => c.name)).toEqual(['s1', 's2', 's3'])
    for (const i of [1, 2, 3]) expect((await credentials.use('storacha', `s${i}`)).values).toEqual(values(i))
  })

  it('masks show at most the last 4 characters, and none of a short secret', () => {
    expect(maskSecret('abcdefghijklmnop')).toBe('********mnop')
    expect(maskSecret('short-secret')).toBe('********cret')
    expect(maskSecret('tiny')).toBe('****')
    expect(maskSecret('eleven-char')).toBe('********')
  })
})
