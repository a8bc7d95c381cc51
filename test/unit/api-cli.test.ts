import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shellWords } from '../../src/api/cli/shell-words.ts'
import { postJson, startTestApi } from './helpers.ts'
import type { TestApi } from './helpers.ts'

const HELLO_V0 = 'Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD'
const BLOCK = CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode('raw block bytes'))).toString()
const DAG = CID.createV1(dagCbor.code, await sha256.digest(dagCbor.encode({ a: { b: [1, 2] } }))).toString()

describe('shell words', () => {
  it('split like a shell: quotes, escapes, no expansion', () => {
    expect(shellWords('files  write /a\\ b.txt')).toEqual(['files', 'write', '/a b.txt'])
    expect(shellWords('add -- "hello \\"world\\"" \'$HOME\' \\$x')).toEqual(['add', '--', 'hello "world"', '$HOME', '$x'])
    expect(shellWords('"" x')).toEqual(['', 'x'])
    expect(() => shellWords('cat "unterminated')).toThrow(/unterminated double quote/)
  })
})

interface Step {
  cli: { command: string, content?: string } | { command: string, args?: string[], kwargs?: Record<string, string | number | boolean>, content?: string, execute: true }
  http: [string, RequestInit?]
  /** How the route answers: an envelope (default) or raw bytes. */
  bytes?: boolean
  /** Fields that differ between two fresh nodes (new keys, peer ids). */
  volatile?: string[]
}

const json = (body: unknown): RequestInit => postJson(body)
const rawBody = (text: string): RequestInit => ({ method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: text })

/** The same operations as CLI commands and as HTTP calls, in order, on two fresh nodes. */
function steps (): Step[] {
  return [
  { cli: { command: 'add --cid-version=0 -- hello world' }, http: ['/ipfs/add', json({ content: 'hello world', cid_version: 0 })] },
  { cli: { command: 'add --cid-version 1 --name notes.txt', content: 'some notes' }, http: ['/ipfs/add', json({ content: 'some notes', cid_version: 1, filename: 'notes.txt' })] },
  { cli: { command: `cat ${HELLO_V0}` }, http: [`/ipfs/cat/${HELLO_V0}`], bytes: true },
  { cli: { command: `cat /ipfs/${HELLO_V0} --offset 6 --length=3` }, http: [`/ipfs/cat/${HELLO_V0}?offset=6&length=3`], bytes: true },
  { cli: { command: `pin rm ${HELLO_V0}` }, http: ['/ipfs/pin/rm', json({ cid: HELLO_V0 })] },
  { cli: { command: `pin add ${HELLO_V0} --name greeting` }, http: ['/ipfs/pin/add', json({ cid: HELLO_V0, name: 'greeting' })] },
  { cli: { command: 'pin ls --type=recursive' }, http: ['/ipfs/pin/ls?type=recursive'] },
  { cli: { command: 'block put -- raw block bytes' }, http: ['/ipfs/block/put', rawBody('raw block bytes')] },
  { cli: { command: `block stat ${BLOCK}` }, http: [`/ipfs/block/stat/${BLOCK}`] },
  { cli: { command: `block get ${BLOCK}` }, http: [`/ipfs/block/get/${BLOCK}`], bytes: true },
  { cli: { command: 'dag put --store-codec dag-cbor', content: '{"a": {"b": [1, 2]}}' }, http: ['/ipfs/dag/put?input_codec=dag-json&store_codec=dag-cbor', rawBody('{"a": {"b": [1, 2]}}')] },
  { cli: { command: 'files mkdir -p /docs/deep' }, http: ['/ipfs/files/mkdir?path=/docs/deep&parents=true', { method: 'POST' }] },
  { cli: { command: 'files write --parents "/docs/read me.txt"', content: 'read me' }, http: ['/ipfs/files/write?path=/docs/read%20me.txt&parents=true', rawBody('read me')] },
  { cli: { command: 'files ls -l /docs' }, http: ['/ipfs/files/ls?path=/docs&long=true'] },
  { cli: { command: 'files stat "/docs/read me.txt"' }, http: ['/ipfs/files/stat?path=/docs/read%20me.txt'] },
  { cli: { command: 'files read "/docs/read me.txt" --offset=5' }, http: ['/ipfs/files/read?path=/docs/read%20me.txt&offset=5'], bytes: true },
  { cli: { command: 'files cp', args: [`/ipfs/${HELLO_V0}`, '/docs/hello.txt'], execute: true }, http: [`/ipfs/files/cp?source=/ipfs/${HELLO_V0}&destination=/docs/hello.txt`, { method: 'POST' }] },
  { cli: { command: 'files mv /docs/hello.txt /docs/deep/hello.txt' }, http: ['/ipfs/files/mv?source=/docs/hello.txt&destination=/docs/deep/hello.txt', { method: 'POST' }] },
  { cli: { command: 'files rm', args: ['/docs/deep'], kwargs: { recursive: true }, execute: true }, http: ['/ipfs/files/rm?path=/docs/deep&recursive=true', { method: 'POST' }] },
  { cli: { command: 'files flush /' }, http: ['/ipfs/files/flush?path=/', { method: 'POST' }] },
  { cli: { command: 'key gen site' }, http: ['/ipfs/key/gen', json({ name: 'site' })], volatile: ['Id', 'id', 'peer_id'] },
  { cli: { command: 'key list -l' }, http: ['/ipfs/key/list'], volatile: ['Keys', 'keys'] },
  { cli: { command: `name publish /ipfs/${HELLO_V0} --key site` }, http: ['/ipfs/name/publish', json({ path: `/ipfs/${HELLO_V0}`, key: 'site' })], volatile: ['Name', 'name'] },
  { cli: { command: 'key rm site' }, http: ['/ipfs/key/rm', json({ name: 'site' })], volatile: ['Id', 'peer_id'] },
  { cli: { command: 'version' }, http: ['/ipfs/version'] },
  { cli: { command: 'repo gc' }, http: ['/ipfs/repo/gc', { method: 'POST' }], volatile: ['duration_ms'] },
  { cli: { command: 'swarm peers' }, http: ['/ipfs/swarm/peers'] }
  ]
}

function withoutEnvelope (body: Record<string, unknown>, volatile: string[] = []): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([k]) => !['success', 'operation', 'timestamp', ...volatile].includes(k)))
}

async function bytesResult (response: Response): Promise<Record<string, unknown>> {
  const bytes = new Uint8Array(await response.arrayBuffer())
  return { size: bytes.byteLength, content_type: response.headers.get('content-type'), text: new TextDecoder().decode(bytes) }
}

describe('CLI controller', () => {
  let viaCli: TestApi
  let viaHttp: TestApi
  beforeAll(async () => { [viaCli, viaHttp] = await Promise.all([startTestApi(), startTestApi()]) })
  afterAll(async () => { await Promise.all([viaCli.stop(), viaHttp.stop()]) })

  it('every command\'s result equals what its HTTP route returns for the same input', async () => {
    for (const step of steps()) {
      const { execute, ...cliBody } = step.cli as Step['cli'] & { execute?: true }
      const cli = await viaCli.json(execute === true ? '/cli/execute' : '/cli/command', postJson(cliBody))
      const response = await viaHttp.request(...step.http)
      expect([step.cli.command, cli.status]).toEqual([step.cli.command, response.status])
      expect([step.cli.command, cli.body.error ?? null]).toEqual([step.cli.command, null])
      expect(cli.body).toMatchObject({ success: true, operation: execute === true ? 'cli_execute' : 'cli_command', exit_code: 0 })
      const expected = step.bytes === true ? await bytesResult(response) : withoutEnvelope(await response.json(), step.volatile)
      const actual = step.bytes === true ? cli.body.result : withoutEnvelope(cli.body.result, step.volatile)
      expect([step.cli.command, actual]).toEqual([step.cli.command, expected])
    }
  })

  it('prints output as the ipfs command line would', async () => {
    const out = async (command: string, content?: string): Promise<string> => (await viaCli.json('/cli/command', postJson({ command, content }))).body.output
    expect(await out('add --cid-version=0 -- hello world')).toBe(`added ${HELLO_V0} ${HELLO_V0}`)
    expect(await out('add -Q --cid-version=0 -- hello world')).toBe(HELLO_V0)
    expect(await out(`cat ${HELLO_V0}`)).toBe('hello world')
    expect(await out('files ls /')).toBe('docs/')
    expect(await out('files stat /docs')).toMatch(/^bafy\w+\nSize: 0\nCumulativeSize: \d+\nChildBlocks: 1\nType: directory$/)
    expect(await out(`pin add ${HELLO_V0}`)).toBe(`pinned ${HELLO_V0} recursively`)
    // repo gc (in the test above) removed the unpinned block and node: put them again
    expect(await out('block put -- raw block bytes')).toBe(BLOCK)
    expect(await out('dag put', '{"a": {"b": [1, 2]}}')).toBe(DAG)
    expect(await out(`block stat ${BLOCK}`)).toBe(`Key: ${BLOCK}\nSize: 15`)
    expect(await out(`dag get ${DAG}/a`)).toBe('{"b":[1,2]}')
    const cbor = await viaCli.json('/cli/command', postJson({ command: `dag get ${DAG} --output-codec=dag-cbor` }))
    expect([cbor.status, cbor.body.result.size, cbor.body.result.content_type]).toEqual([200, dagCbor.encode({ a: { b: [1, 2] } }).byteLength, 'application/vnd.ipld.dag-cbor'])
    expect(await out('help files ls')).toMatch(/^USAGE\n {2}ipfs files ls \[<path>\] \[-l\]/)
  })

  it('ls lists a directory as its route does, and network commands answer offline as theirs do', async () => {
    const added = await viaCli.json('/cli/command', postJson({ command: 'add -w --name a.txt -- hi there' }))
    const dir: string = added.body.result.cid
    expect(added.body.output).toBe(`added ${added.body.result.entries[0].cid as string} a.txt\nadded ${dir}`)
    const cli = await viaCli.json('/cli/command', postJson({ command: `ls /ipfs/${dir}` }))
    const http = await viaCli.json(`/ipfs/ls/${dir}`)
    expect(cli.body.result).toEqual(withoutEnvelope(http.body))
    expect(http.body.entries).toEqual([{ name: 'a.txt', cid: expect.any(String), type: 'file', size: 8 }])
    expect(cli.body.output).toBe(`${http.body.entries[0].cid as string} 8 a.txt`)
    expect((await viaCli.json('/cli/command', postJson({ command: `ls ${http.body.entries[0].cid as string}` }))).status).toBe(400)

    const peer = '12D3KooWDcDsnJG1NGDenvBMuKXUioABX7JK2fm9d8YMHfTJHyt1'
    const pairs: Array<[string, string, RequestInit?]> = [
      [`ping ${peer}`, '/distributed/ping', postJson({ peer_id: peer, count: 3 })],
      [`swarm connect /ip4/127.0.0.1/tcp/1/ws/p2p/${peer}`, '/ipfs/swarm/connect', postJson({ address: `/ip4/127.0.0.1/tcp/1/ws/p2p/${peer}` })],
      [`routing findpeer ${peer}`, `/ipfs/dht/findpeer?peer_id=${peer}`],
      [`routing findprovs ${dir}`, `/ipfs/dht/findprovs?cid=${dir}`]
    ]
    for (const [command, path, init] of pairs) {
      const viaCommand = await viaCli.json('/cli/command', postJson({ command }))
      const viaRoute = await viaCli.json(path, init)
      expect([command, viaCommand.status, viaCommand.body.error_type]).toEqual([command, viaRoute.status, viaRoute.body.error_type])
      expect(viaCommand.body.exit_code).toBe(viaRoute.status === 200 ? 0 : 1)
    }
  })

  it('read-only commands give what their routes give on the same node: id, stats, get, name resolve', async () => {
    const same = async (command: string, path: string, pick?: (body: Record<string, any>) => unknown): Promise<void> => {
      const cli = await viaCli.json('/cli/command', postJson({ command }))
      const http = await viaCli.json(path)
      expect([command, cli.status]).toEqual([command, 200])
      expect([command, pick != null ? pick(cli.body.result) : cli.body.result]).toEqual([command, pick != null ? pick(http.body) : withoutEnvelope(http.body)])
    }
    await same('id', '/ipfs/id')
    await same('stats repo', '/ipfs/stats', b => b.repo)
    await viaCli.json('/cli/command', postJson({ command: 'add --cid-version=0 -- hello world' }))
    const published = await viaCli.json('/cli/command', postJson({ command: `name publish /ipfs/${HELLO_V0}` }))
    expect(published.body.output).toMatch(new RegExp(`^Published to \\w+: /ipfs/${HELLO_V0}$`))
    const name = published.body.result.Name as string
    await same(`name resolve /ipns/${name}`, `/ipfs/name/resolve?name=/ipns/${name}`, b => b.Path)
    const get = await viaCli.json('/cli/command', postJson({ command: `get ${HELLO_V0}` }))
    expect(get.body.result).toMatchObject({ size: 11, text: 'hello world' })
    expect(get.body.output).toBe(`Saving file(s) to ${HELLO_V0} (11 bytes, text/plain; charset=utf-8)`)
  })

  it('an unknown command or bad flag is exit code 1, a usage message and a 400; a failing command keeps its status', async () => {
    const cases: Array<[string, string | RegExp]> = [
      ['frobnicate', /unknown command "frobnicate"/],
      ['files frob /', /unknown command "files frob"/],
      ['files ls --bogus', /unknown option --bogus[\s\S]*USAGE\n {2}ipfs files ls/],
      ['cat', /missing argument <ipfs-path>/],
      ['cat a b', /unexpected argument "b"/],
      ['add --cid-version=x -- hi', /--cid-version takes a whole number/],
      ['pin ls -- text', /takes no content after --/],
      ['files write "/a', /unterminated double quote/],
      ['cat ../../credentials', /may not contain \. or \.\. segments/],
      ['ls /ipfs/x/../../../credentials/s3/prod', /may not contain \. or \.\. segments/],
      ['get ./../cache/export', /may not contain \. or \.\. segments/],
      ['', /no command given/]
    ]
    for (const [command, message] of cases) {
      const r = await viaCli.json('/cli/command', postJson({ command: command === '' ? ' ' : command }))
      expect([command, r.status, r.body.exit_code, r.body.success]).toEqual([command, 400, 1, false])
      expect(r.body.output).toMatch(message)
      expect(r.body.error_type).toBe('CliUsageError')
    }
    const kw = await viaCli.json('/cli/execute', postJson({ command: 'files ls', kwargs: { long: 'yes' } }))
    expect([kw.status, kw.body.exit_code]).toEqual([400, 1])
    const missing = await viaCli.json('/cli/command', postJson({ command: 'cat bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e' }))
    expect([missing.status, missing.body.exit_code, missing.body.error_type]).toEqual([404, 1, 'ContentNotFoundError'])
    expect(missing.body.output).toMatch(/^Error: /)
    expect((await viaCli.json('/cli/command', postJson({ command: 'cat not-a-cid' }))).status).toBe(400)
  })

  it('help, the command tree, status and version', async () => {
    const help = await viaCli.json('/cli/help')
    expect(help.body.help).toContain('files ls')
    expect(help.body.help).toContain('repo gc')
    expect((await viaCli.json('/cli/help?command=pin%20add')).body.help).toContain('--recursive, -r')
    expect((await viaCli.json('/cli/help?command=nope')).status).toBe(400)
    const tree = await viaCli.json('/cli/commands')
    const names = tree.body.commands.map((c: { name: string }) => c.name)
    for (const name of ['add', 'cat', 'get', 'pin add', 'pin rm', 'pin ls', 'block put', 'block get', 'block stat', 'dag put', 'dag get', 'dag resolve', 'name publish', 'name resolve', 'key gen', 'key list', 'key rm', 'files ls', 'files stat', 'files mkdir', 'files write', 'files read', 'files rm', 'files cp', 'files mv', 'files flush', 'id', 'version', 'swarm peers', 'swarm connect', 'ping', 'routing findprovs', 'routing findpeer', 'stats bw', 'stats repo', 'repo gc']) {
      expect(names).toContain(name)
    }
    const status = await viaCli.json('/cli/status')
    expect(status.body.online).toBe(false)
    expect(status.body.unavailable.map((u: { name: string }) => u.name)).toEqual(expect.arrayContaining(['ping', 'swarm connect', 'routing findprovs']))
    expect(status.body.available).toContain('files ls')
    expect((await viaCli.json('/cli/version')).status).toBe(200)
  })
})
