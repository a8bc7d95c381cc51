import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createNode, memoryStores } from '../../src/node/create-node.ts'
import type { McpNode } from '../../src/node/create-node.ts'
import type { Mfs } from '../../src/node/models/mfs/mfs.ts'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

async function readText (mfs: Mfs, path: string, range?: { offset: number, length?: number }): Promise<string> {
  const { content } = (await mfs.read(path)).read(range)
  const chunks: Uint8Array[] = []
  for await (const c of content) chunks.push(c)
  return new TextDecoder().decode(new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer()))
}

describe('MFS commands', () => {
  let node: McpNode
  let mfs: Mfs
  beforeEach(async () => {
    node = await createNode({ stores: memoryStores() })
    mfs = node.mfs
  })
  afterEach(async () => { await node.stop() })

  it('starts with an empty root directory', async () => {
    expect(await mfs.ls('/')).toEqual([])
    expect((await mfs.stat('/')).type).toBe('directory')
  })

  it('mkdir: nested with parents, 409 without, missing parent 404', async () => {
    await mfs.mkdir('/photos/2026', { parents: true })
    expect((await mfs.ls('/photos')).map(e => [e.name, e.type])).toEqual([['2026', 'directory']])
    await mfs.mkdir('/photos/2026', { parents: true })
    await expect(mfs.mkdir('/photos')).rejects.toMatchObject({ name: 'AlreadyExistsError' })
    await expect(mfs.mkdir('/nope/child')).rejects.toMatchObject({ name: 'PathNotFoundError' })
    await expect(mfs.mkdir('relative')).rejects.toMatchObject({ name: 'InvalidPathError' })
  })

  it('write creates, replaces, splices at an offset, truncates, and honours count and create', async () => {
    await mfs.write('/a.txt', text('hello world'))
    expect(await readText(mfs, '/a.txt')).toBe('hello world')
    await mfs.write('/a.txt', text('WORLD'), { offset: 6 })
    expect(await readText(mfs, '/a.txt')).toBe('hello WORLD')
    await mfs.write('/a.txt', text('HE'), { offset: 0 })
    expect(await readText(mfs, '/a.txt')).toBe('HEllo WORLD')
    await mfs.write('/a.txt', text('bye'), { truncate: true })
    expect(await readText(mfs, '/a.txt')).toBe('bye')
    await mfs.write('/a.txt', text('!!'), { offset: 5 })
    expect(await readText(mfs, '/a.txt')).toBe('bye\0\0!!')
    await mfs.write('/b.txt', text('abcdef'), { count: 3 })
    expect(await readText(mfs, '/b.txt')).toBe('abc')
    await expect(mfs.write('/c.txt', text('x'), { create: false })).rejects.toMatchObject({ name: 'PathNotFoundError' })
    await expect(mfs.write('/deep/c.txt', text('x'))).rejects.toMatchObject({ name: 'PathNotFoundError' })
    await mfs.write('/deep/er/c.txt', text('x'), { parents: true })
    expect(await readText(mfs, '/deep/er/c.txt')).toBe('x')
    await expect(mfs.write('/deep', text('x'))).rejects.toMatchObject({ name: 'NotAFileError' })
    await expect(mfs.write('/a.txt/inside', text('x'))).rejects.toMatchObject({ name: 'NotADirectoryError' })
    expect(await readText(mfs, '/a.txt', { offset: 1, length: 2 })).toBe('ye')
  })

  it('ls and stat report names, types, sizes and CIDs', async () => {
    await mfs.write('/docs/readme.md', text('# hi'), { parents: true })
    await mfs.mkdir('/docs/sub')
    const entries = await mfs.ls('/docs')
    expect(entries.map(e => [e.name, e.type, e.size])).toEqual([['readme.md', 'file', 4], ['sub', 'directory', 0]])
    const st = await mfs.stat('/docs/readme.md')
    expect(st).toMatchObject({ path: '/docs/readme.md', type: 'file', size: 4 })
    expect(st.cid.toString()).toBe(entries[0].cid.toString())
    const dir = await mfs.stat('/docs')
    expect(dir.blocks).toBe(2)
    expect(dir.cumulativeSize).toBeGreaterThan(4)
    await expect(mfs.stat('/missing')).rejects.toMatchObject({ name: 'PathNotFoundError' })
  })

  it('rm: files, empty and non-empty directories, force, and never /', async () => {
    await mfs.write('/d/f.txt', text('f'), { parents: true })
    await expect(mfs.rm('/d')).rejects.toMatchObject({ name: 'DirectoryNotEmptyError' })
    await mfs.rm('/d/f.txt')
    await mfs.rm('/d')
    expect(await mfs.ls('/')).toEqual([])
    await expect(mfs.rm('/d')).rejects.toMatchObject({ name: 'PathNotFoundError' })
    await mfs.rm('/d', { force: true })
    await expect(mfs.rm('/')).rejects.toMatchObject({ name: 'InvalidPathError' })
    await mfs.write('/e/g/h.txt', text('h'), { parents: true })
    await mfs.rm('/e', { recursive: true })
    expect(await mfs.ls('/')).toEqual([])
  })

  it('cp from MFS and from /ipfs/, into directories, never over a file', async () => {
    await mfs.write('/src.txt', text('source'))
    await mfs.cp('/src.txt', '/copy.txt')
    expect(await readText(mfs, '/copy.txt')).toBe('source')
    await mfs.mkdir('/into')
    await mfs.cp('/src.txt', '/into')
    expect(await readText(mfs, '/into/src.txt')).toBe('source')
    await expect(mfs.cp('/src.txt', '/copy.txt')).rejects.toMatchObject({ name: 'AlreadyExistsError' })
    const cid = (await mfs.stat('/src.txt')).cid
    await mfs.cp(`/ipfs/${cid.toString()}`, '/from-ipfs.txt')
    expect(await readText(mfs, '/from-ipfs.txt')).toBe('source')
    await mfs.cp('/src.txt', '/new/parents/x.txt', { parents: true })
    expect(await readText(mfs, '/new/parents/x.txt')).toBe('source')
    await expect(mfs.cp('/missing', '/y')).rejects.toMatchObject({ name: 'PathNotFoundError' })
  })

  it('mv renames and moves into directories, in one transaction, and not into itself', async () => {
    await mfs.write('/old.txt', text('moving'))
    await mfs.mv('/old.txt', '/new.txt')
    expect((await mfs.ls('/')).map(e => e.name)).toEqual(['new.txt'])
    await mfs.mkdir('/dir')
    await mfs.mv('/new.txt', '/dir')
    expect(await readText(mfs, '/dir/new.txt')).toBe('moving')
    await expect(mfs.mv('/dir', '/dir/inner')).rejects.toMatchObject({ name: 'InvalidPathError' })
    await expect(mfs.mv('/', '/x')).rejects.toMatchObject({ name: 'InvalidPathError' })
    const moves = (await mfs.journal.entries({ ascending: true })).filter(e => e.path === '/new.txt' && e.operation_type === 'delete')
    expect(moves).toHaveLength(1)
    const tx = (await mfs.journal.entries()).filter(e => e.transaction_id === moves[0].transaction_id)
    expect(tx.map(e => e.operation_type).sort()).toEqual(['copy', 'delete'])
  })

  it('chmod and touch set UnixFS metadata; touch creates a missing file', async () => {
    await mfs.write('/m.txt', text('meta'))
    await mfs.chmod('/m.txt', 0o600)
    expect((await mfs.stat('/m.txt')).mode).toBe(0o600)
    await mfs.touch('/m.txt', 1_700_000_000)
    const st = await mfs.stat('/m.txt')
    expect(st.mtime).toBe(1_700_000_000)
    expect(st.mode).toBe(0o600)
    expect(await readText(mfs, '/m.txt')).toBe('meta')
    await mfs.write('/m.txt', text('META'), { truncate: true })
    expect((await mfs.stat('/m.txt')).mode).toBe(0o600)
    await mfs.touch('/t.txt', 1_600_000_000)
    expect(await mfs.stat('/t.txt')).toMatchObject({ size: 0, mtime: 1_600_000_000 })
  })

  it('flush returns the CID at a path', async () => {
    await mfs.write('/f.txt', text('flush'))
    expect((await mfs.flush('/f.txt')).toString()).toBe((await mfs.stat('/f.txt')).cid.toString())
    expect((await mfs.flush()).toString()).toBe(mfs.root().toString())
  })

  it('serializes 50 concurrent writes so all land', async () => {
    await Promise.all(Array.from({ length: 50 }, async (_, i) => mfs.write(`/many/f${i}.txt`, text(`file ${i}`), { parents: true })))
    const names = (await mfs.ls('/many')).map(e => e.name).sort()
    expect(names).toHaveLength(50)
    for (const i of [0, 17, 49]) expect(await readText(mfs, `/many/f${i}.txt`)).toBe(`file ${i}`)
  })
})

describe('a write whose content is not stored', () => {
  it('fails, and the root does not move, when the store refuses the content after the write went on to change the tree', async () => {
    const content = text('content the disk will not take')
    const refused = CID.createV1(raw.code, await sha256.digest(content))
    const stores = memoryStores()
    const inner = stores.blockstore
    // the put fails a while after it was handed over, as a store transaction that aborts does
    stores.blockstore = new Proxy(inner, {
      get (target, prop) {
        if (prop === 'put') {
          return async (cid: CID, bytes: Uint8Array) => {
            if (cid.equals(refused)) {
              await new Promise(resolve => setTimeout(resolve, 30))
              throw new Error('the disk is full')
            }
            return target.put(cid, bytes)
          }
        }
        const value = Reflect.get(target, prop, target) as unknown
        return typeof value === 'function' ? value.bind(target) : value
      }
    })
    const node = await createNode({ stores })
    try {
      await node.mfs.write('/kept.txt', text('kept'))
      const before = node.mfs.root()
      await expect(node.mfs.write('/lost.txt', content)).rejects.toThrow(/disk is full/)
      expect(node.mfs.root().toString()).toBe(before.toString())
      expect((await node.mfs.ls('/')).map(e => e.name)).toEqual(['kept.txt'])
      expect((await node.mfs.journal.entries()).find(e => e.path === '/lost.txt')).toMatchObject({ status: 'failed' })
      // and the next write goes on from the root that stands
      await node.mfs.write('/next.txt', text('next'))
      expect((await node.mfs.ls('/')).map(e => e.name).sort()).toEqual(['kept.txt', 'next.txt'])
    } finally {
      await node.stop()
    }
  })
})

