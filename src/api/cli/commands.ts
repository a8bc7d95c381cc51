/**
 * The CLI's commands, with Kubo's names and flags. Each one names the API
 * route that runs it (so the CLI and HTTP are one implementation with two
 * faces) and how Kubo would print its result.
 */
import { CliUsageError } from './errors.ts'
import type { FlagSpec, FlagValues } from './flags.ts'

export interface CliInput {
  args: string[]
  flags: FlagValues
  /** Text given after `--`, or the request's `content` field (add, files write, block put, dag put). */
  content?: string
}

/** The API call a command makes: a path under /api/v0/mcp. */
export interface ApiCall {
  method: 'GET' | 'POST' | 'DELETE'
  path: string
  query?: Record<string, string | number | boolean | undefined>
  json?: unknown
  /** A raw body (with its Content-Type). */
  body?: { data: string, type: string }
}

/** How the route answers: a JSON envelope, raw bytes, or a bare JSON document (dag get). */
export type ReplyKind = 'envelope' | 'bytes' | 'json'

export interface CommandSpec {
  name: string
  usage: string
  description: string
  /** Positional arguments: their names; a trailing `?` marks an optional one. */
  args: string[]
  flags: Record<string, FlagSpec>
  /** Needs a connection to other peers to do anything useful. */
  network?: boolean
  /** Reads its content from `--`/the content field. */
  takesContent?: boolean
  reply: ReplyKind
  call(input: CliInput): ApiCall
  print(result: any, input: CliInput): string
}

const timeout: FlagSpec = { type: 'string', description: 'Deadline (500ms, 5s, 2m)' }
const enc = encodeURIComponent
/**
 * `/ipfs/<cid>/a/b` or `<cid>/a/b` → `<cid>/a/b`, each segment URL-encoded;
 * `.` and `..` are refused, since a URL would resolve them to another route.
 */
const contentPath = (text: string): string => {
  const segments = text.replace(/^\/?ipfs\//, '').split('/').filter(s => s !== '')
  if (segments.some(s => s === '.' || s === '..')) throw new CliUsageError(`"${text}" may not contain . or .. segments`)
  return segments.map(enc).join('/')
}
const lines = (xs: unknown[]): string => xs.map(String).join('\n')

export const COMMANDS: CommandSpec[] = [
  {
    name: 'add',
    usage: 'add [--cid-version=<0|1>] [--raw-leaves] [--chunker=<size-N|rabin>] [--pin=<bool>] [--wrap-with-directory] [--name=<name>] [-Q] -- <text>',
    description: 'Add text (after --, or the request\'s content field) and print its CID',
    args: [],
    flags: {
      'cid-version': { type: 'int', description: 'CID version (0 follows Kubo\'s classic profile)' },
      'raw-leaves': { type: 'bool', description: 'Raw leaves' },
      chunker: { type: 'string', description: 'size-N or rabin[-min-avg-max]' },
      pin: { type: 'bool', description: 'Pin the root (default true)' },
      'wrap-with-directory': { type: 'bool', alias: 'w', description: 'Wrap in a directory' },
      name: { type: 'string', description: 'File name' },
      quieter: { type: 'bool', alias: 'Q', description: 'Print only the root CID' },
      timeout
    },
    takesContent: true,
    reply: 'envelope',
    call: ({ flags, content }) => ({
      method: 'POST',
      path: '/ipfs/add',
      json: {
        content: content ?? '',
        filename: flags.name,
        cid_version: flags['cid-version'],
        raw_leaves: flags['raw-leaves'],
        chunker: flags.chunker,
        pin: flags.pin,
        wrap_with_directory: flags['wrap-with-directory']
      }
    }),
    print: (r, { flags }) => flags.quieter === true
      ? r.cid
      : lines([...(r.entries ?? []).map((e: { cid: string, name: string }) => e.name === '' ? `added ${e.cid}` : `added ${e.cid} ${e.name}`), ...(r.entries == null ? [`added ${r.cid} ${r.name != null && r.name !== '' ? r.name : r.cid}`] : [])])
  },
  {
    name: 'cat',
    usage: 'cat <ipfs-path> [--offset=<n>] [--length=<n>]',
    description: 'Print a file\'s bytes',
    args: ['ipfs-path'],
    flags: { offset: { type: 'int', description: 'Byte to start at' }, length: { type: 'int', description: 'Bytes to read' }, timeout },
    reply: 'bytes',
    call: ({ args, flags }) => ({ method: 'GET', path: `/ipfs/cat/${contentPath(args[0])}`, query: { offset: flags.offset, length: flags.length } }),
    print: r => r.text ?? `(${r.size} bytes of binary content: see result.base64)`
  },
  {
    name: 'ls',
    usage: 'ls <ipfs-path>',
    description: 'List a directory: CID, size and name of each entry',
    args: ['ipfs-path'],
    flags: { timeout },
    reply: 'envelope',
    call: ({ args }) => ({ method: 'GET', path: `/ipfs/ls/${contentPath(args[0])}` }),
    print: r => lines(r.entries.map((e: { cid: string, size: number, name: string, type: string }) => `${e.cid} ${e.type === 'directory' ? '-' : e.size} ${e.name}${e.type === 'directory' ? '/' : ''}`))
  },
  {
    name: 'get',
    usage: 'get <ipfs-path>',
    description: 'A file\'s bytes, or a directory as a tar archive',
    args: ['ipfs-path'],
    flags: { timeout },
    reply: 'bytes',
    call: ({ args }) => ({ method: 'GET', path: `/ipfs/get/${contentPath(args[0])}` }),
    print: (r, { args }) => `Saving file(s) to ${args[0].split('/').filter(s => s !== '').pop() ?? args[0]} (${r.size} bytes, ${r.content_type})`
  },
  {
    name: 'pin add',
    usage: 'pin add <cid> [--recursive=<bool>] [--name=<name>]',
    description: 'Pin a CID',
    args: ['cid'],
    flags: { recursive: { type: 'bool', alias: 'r', description: 'Pin the whole DAG (default true)' }, name: { type: 'string', description: 'A name for the pin' }, timeout },
    reply: 'envelope',
    call: ({ args, flags }) => ({ method: 'POST', path: '/ipfs/pin/add', json: { cid: args[0], recursive: flags.recursive, name: flags.name } }),
    print: r => `pinned ${r.cid} ${r.type === 'recursive' ? 'recursively' : 'directly'}`
  },
  {
    name: 'pin rm',
    usage: 'pin rm <cid>',
    description: 'Remove a pin',
    args: ['cid'],
    flags: { timeout },
    reply: 'envelope',
    call: ({ args }) => ({ method: 'POST', path: '/ipfs/pin/rm', json: { cid: args[0] } }),
    print: r => `unpinned ${r.cid}`
  },
  {
    name: 'pin ls',
    usage: 'pin ls [--type=<all|recursive|direct|indirect>]',
    description: 'List pins',
    args: [],
    flags: { type: { type: 'string', alias: 't', description: 'Which pins' }, timeout },
    reply: 'envelope',
    call: ({ flags }) => ({ method: 'GET', path: '/ipfs/pin/ls', query: { type: flags.type } }),
    print: r => lines(r.pins.map((p: { cid: string, type: string, name: string | null }) => `${p.cid} ${p.type}${p.name != null ? ` ${p.name}` : ''}`))
  },
  {
    name: 'block put',
    usage: 'block put [--cid-codec=<codec>] [--mhtype=<hash>] [--pin] -- <text>',
    description: 'Store the text as one block; print its CID',
    args: [],
    flags: { 'cid-codec': { type: 'string', description: 'Codec of the CID (default raw)' }, mhtype: { type: 'string', description: 'Multihash (default sha2-256)' }, pin: { type: 'bool', description: 'Pin it' }, timeout },
    takesContent: true,
    reply: 'envelope',
    call: ({ flags, content }) => ({ method: 'POST', path: '/ipfs/block/put', query: { cid_codec: flags['cid-codec'], mhtype: flags.mhtype, pin: flags.pin }, body: { data: content ?? '', type: 'application/octet-stream' } }),
    print: r => r.cid
  },
  {
    name: 'block get',
    usage: 'block get <cid>',
    description: 'Print a block\'s bytes',
    args: ['cid'],
    flags: { timeout },
    reply: 'bytes',
    call: ({ args }) => ({ method: 'GET', path: `/ipfs/block/get/${enc(args[0])}` }),
    print: r => r.text ?? `(${r.size} bytes of binary content: see result.base64)`
  },
  {
    name: 'block stat',
    usage: 'block stat <cid>',
    description: 'A block\'s CID and size',
    args: ['cid'],
    flags: { timeout },
    reply: 'envelope',
    call: ({ args }) => ({ method: 'GET', path: `/ipfs/block/stat/${enc(args[0])}` }),
    print: r => `Key: ${r.cid}\nSize: ${r.size}`
  },
  {
    name: 'dag put',
    usage: 'dag put [--store-codec=<dag-cbor|dag-json|dag-pb|raw>] [--input-codec=<dag-json|…>] [--pin] -- <json>',
    description: 'Store an IPLD node given as dag-json; print its CID',
    args: [],
    flags: { 'store-codec': { type: 'string', description: 'Codec to store (default dag-cbor)' }, 'input-codec': { type: 'string', description: 'Codec of the input (default dag-json)' }, pin: { type: 'bool', description: 'Pin it' }, hash: { type: 'string', description: 'Multihash' }, timeout },
    takesContent: true,
    reply: 'envelope',
    call: ({ flags, content }) => ({ method: 'POST', path: '/ipfs/dag/put', query: { input_codec: flags['input-codec'] ?? 'dag-json', store_codec: flags['store-codec'], pin: flags.pin, hash: flags.hash }, body: { data: content ?? '', type: 'application/octet-stream' } }),
    print: r => r.cid
  },
  {
    name: 'dag get',
    usage: 'dag get <cid>[/path] [--output-codec=<dag-json|dag-cbor|…>]',
    description: 'Print an IPLD node (or the value at a path) as dag-json',
    args: ['cid'],
    flags: { 'output-codec': { type: 'string', description: 'Codec to print (default dag-json)' }, timeout },
    reply: 'json',
    call: ({ args, flags }) => ({ method: 'GET', path: `/ipfs/dag/get/${contentPath(args[0])}`, query: { output_codec: flags['output-codec'] } }),
    print: (r, { flags }) => flags['output-codec'] == null || /json/.test(String(flags['output-codec']))
      ? JSON.stringify(r)
      : r.text ?? `(${r.size as number} bytes of ${r.content_type as string}: see result.base64)`
  },
  {
    name: 'dag resolve',
    usage: 'dag resolve <cid>/<path>',
    description: 'The CID a path reaches, and what remains of the path',
    args: ['ipfs-path'],
    flags: { timeout },
    reply: 'envelope',
    call: ({ args }) => ({ method: 'GET', path: `/ipfs/dag/resolve/${contentPath(args[0])}` }),
    print: r => r.remainder_path !== '' && r.remainder_path != null ? `${r.cid}/${r.remainder_path}` : r.cid
  },
  {
    name: 'name publish',
    usage: 'name publish <ipfs-path> [--key=<name>] [--lifetime=<24h>] [--ttl=<1h>] [--resolve=<bool>] [--allow-offline=<bool>]',
    description: 'Publish a path under a key (IPNS)',
    args: ['ipfs-path'],
    flags: { key: { type: 'string', alias: 'k', description: 'Key name (default self)' }, lifetime: { type: 'string', description: 'Record lifetime' }, ttl: { type: 'string', description: 'Cache TTL' }, resolve: { type: 'bool', description: 'Check the path resolves first' }, 'allow-offline': { type: 'bool', description: 'Publish locally when offline' }, timeout },
    reply: 'envelope',
    call: ({ args, flags }) => ({ method: 'POST', path: '/ipfs/name/publish', json: { path: args[0], key: flags.key, lifetime: flags.lifetime, ttl: flags.ttl, resolve: flags.resolve, allow_offline: flags['allow-offline'] } }),
    print: r => `Published to ${r.Name}: ${r.Value}`
  },
  {
    name: 'name resolve',
    usage: 'name resolve <name> [--recursive] [--nocache]',
    description: 'Resolve an IPNS name to a path',
    args: ['name'],
    flags: { recursive: { type: 'bool', alias: 'r', description: 'Resolve until the result is not an IPNS name' }, nocache: { type: 'bool', description: 'Do not use cached entries' }, timeout },
    reply: 'envelope',
    call: ({ args, flags }) => ({ method: 'GET', path: '/ipfs/name/resolve', query: { name: args[0], recursive: flags.recursive, nocache: flags.nocache } }),
    print: r => r.Path
  },
  {
    name: 'key gen',
    usage: 'key gen <name> [--type=<ed25519>]',
    description: 'Create a key',
    args: ['name'],
    flags: { type: { type: 'string', alias: 't', description: 'Key type (ed25519)' } },
    reply: 'envelope',
    call: ({ args, flags }) => ({ method: 'POST', path: '/ipfs/key/gen', json: { name: args[0], type: flags.type } }),
    print: r => r.Id
  },
  {
    name: 'key list',
    usage: 'key list [-l]',
    description: 'List keys',
    args: [],
    flags: { long: { type: 'bool', alias: 'l', description: 'Show ids too' } },
    reply: 'envelope',
    call: () => ({ method: 'GET', path: '/ipfs/key/list' }),
    print: (r, { flags }) => lines(r.Keys.map((k: { Name: string, Id: string }) => flags.long === true ? `${k.Id} ${k.Name}` : k.Name))
  },
  {
    name: 'key rm',
    usage: 'key rm <name>',
    description: 'Remove a key',
    args: ['name'],
    flags: {},
    reply: 'envelope',
    call: ({ args }) => ({ method: 'POST', path: '/ipfs/key/rm', json: { name: args[0] } }),
    print: r => r.Name
  },
  ...filesCommands(),
  {
    name: 'id',
    usage: 'id',
    description: 'This node\'s identity and addresses',
    args: [],
    flags: {},
    reply: 'envelope',
    call: () => ({ method: 'GET', path: '/ipfs/id' }),
    print: r => JSON.stringify(r, null, 2)
  },
  {
    name: 'version',
    usage: 'version',
    description: 'Versions of the node and its libraries',
    args: [],
    flags: {},
    reply: 'envelope',
    call: () => ({ method: 'GET', path: '/ipfs/version' }),
    print: r => `mcp-browser-node version ${r.app} (helia ${r.helia}, libp2p ${r.libp2p})`
  },
  {
    name: 'swarm peers',
    usage: 'swarm peers',
    description: 'Open connections',
    args: [],
    flags: {},
    network: true,
    reply: 'envelope',
    call: () => ({ method: 'GET', path: '/ipfs/swarm/peers' }),
    print: r => lines(r.peers.map((p: { address: string, peer_id: string }) => p.address.includes('/p2p/' + p.peer_id) && p.address.endsWith(p.peer_id) ? p.address : `${p.address}/p2p/${p.peer_id}`))
  },
  {
    name: 'swarm connect',
    usage: 'swarm connect <multiaddr>',
    description: 'Dial a peer',
    args: ['address'],
    flags: { timeout },
    network: true,
    reply: 'envelope',
    call: ({ args }) => ({ method: 'POST', path: '/ipfs/swarm/connect', json: { address: args[0] } }),
    print: r => `connect ${r.peer_id} success`
  },
  {
    name: 'ping',
    usage: 'ping <peer-id> [--count=<n>]',
    description: 'Measure round trips to a peer',
    args: ['peer-id'],
    flags: { count: { type: 'int', alias: 'n', description: 'How many pings (default 3)' }, timeout },
    network: true,
    reply: 'envelope',
    call: ({ args, flags }) => ({ method: 'POST', path: '/distributed/ping', json: { peer_id: args[0], count: flags.count ?? 3 } }),
    print: r => lines([...r.rtts_ms.map((ms: number) => `Pong received: time=${ms.toFixed(2)} ms`), `Average latency: ${Number(r.average_ms).toFixed(2)}ms`])
  },
  {
    name: 'routing findprovs',
    usage: 'routing findprovs <cid> [--num-providers=<n>]',
    description: 'Peers that provide a CID',
    args: ['cid'],
    flags: { 'num-providers': { type: 'int', alias: 'n', description: 'Stop after this many' }, timeout },
    network: true,
    reply: 'envelope',
    call: ({ args, flags }) => ({ method: 'GET', path: '/ipfs/dht/findprovs', query: { cid: args[0], num_providers: flags['num-providers'] } }),
    print: r => lines(r.providers.map((p: { id?: string, peer_id?: string }) => p.id ?? p.peer_id))
  },
  {
    name: 'routing findpeer',
    usage: 'routing findpeer <peer-id>',
    description: 'A peer\'s addresses',
    args: ['peer-id'],
    flags: { timeout },
    network: true,
    reply: 'envelope',
    call: ({ args }) => ({ method: 'GET', path: '/ipfs/dht/findpeer', query: { peer_id: args[0] } }),
    print: r => lines(r.addresses)
  },
  {
    name: 'stats bw',
    usage: 'stats bw',
    description: 'Bytes in and out through the API',
    args: [],
    flags: {},
    reply: 'envelope',
    call: () => ({ method: 'GET', path: '/ipfs/stats' }),
    print: r => `Bandwidth\nTotalIn: ${r.totals.bytes_in} B\nTotalOut: ${r.totals.bytes_out} B`
  },
  {
    name: 'stats repo',
    usage: 'stats repo',
    description: 'Objects and bytes in the repository',
    args: [],
    flags: {},
    reply: 'envelope',
    call: () => ({ method: 'GET', path: '/ipfs/stats' }),
    print: r => `NumObjects: ${r.repo.object_count}\nRepoSize: ${r.repo.size_bytes}\nStorageMax: ${r.storage.quota_bytes ?? 'unknown'}`
  },
  {
    name: 'repo gc',
    usage: 'repo gc',
    description: 'Remove blocks that no pin and no MFS path reach',
    args: [],
    flags: { timeout },
    reply: 'envelope',
    call: () => ({ method: 'POST', path: '/ipfs/repo/gc' }),
    print: r => lines([...r.removed_cids.map((c: string) => `removed ${c}`), ...(r.removed_cids_truncated === true ? [`… ${r.removed} in all`] : [])])
  }
]

function filesCommands (): CommandSpec[] {
  const path = (args: string[], i = 0): string => args[i] ?? '/'
  return [
    {
      name: 'files ls',
      usage: 'files ls [<path>] [-l]',
      description: 'List an MFS directory',
      args: ['path?'],
      flags: { long: { type: 'bool', alias: 'l', description: 'Show CIDs and sizes' } },
      reply: 'envelope',
      call: ({ args, flags }) => ({ method: 'GET', path: '/ipfs/files/ls', query: { path: path(args), long: flags.long } }),
      print: (r, { flags }) => lines(r.Entries.map((e: { Name: string, Hash: string, Size: number, Type: number }) => flags.long === true ? `${e.Name}${e.Type === 1 ? '/' : ''}\t${e.Hash}\t${e.Size}` : `${e.Name}${e.Type === 1 ? '/' : ''}`))
    },
    {
      name: 'files stat',
      usage: 'files stat <path>',
      description: 'An MFS path\'s CID, sizes and type',
      args: ['path'],
      flags: {},
      reply: 'envelope',
      call: ({ args }) => ({ method: 'GET', path: '/ipfs/files/stat', query: { path: path(args) } }),
      print: r => `${r.Hash}\nSize: ${r.Size}\nCumulativeSize: ${r.CumulativeSize}\nChildBlocks: ${r.Blocks}\nType: ${r.Type}`
    },
    {
      name: 'files mkdir',
      usage: 'files mkdir <path> [-p]',
      description: 'Make a directory',
      args: ['path'],
      flags: { parents: { type: 'bool', alias: 'p', description: 'Make parents as needed' } },
      reply: 'envelope',
      call: ({ args, flags }) => ({ method: 'POST', path: '/ipfs/files/mkdir', query: { path: args[0], parents: flags.parents } }),
      print: () => ''
    },
    {
      name: 'files write',
      usage: 'files write <path> [--create] [--parents] [--truncate] [--offset=<n>] -- <text>',
      description: 'Write text to an MFS file',
      args: ['path'],
      flags: {
        create: { type: 'bool', alias: 'e', description: 'Create the file (default true)' },
        parents: { type: 'bool', alias: 'p', description: 'Make parents as needed' },
        truncate: { type: 'bool', alias: 't', description: 'Truncate first' },
        offset: { type: 'int', alias: 'o', description: 'Byte to write at' }
      },
      takesContent: true,
      reply: 'envelope',
      call: ({ args, flags, content }) => ({ method: 'POST', path: '/ipfs/files/write', query: { path: args[0], create: flags.create, parents: flags.parents, truncate: flags.truncate, offset: flags.offset }, body: { data: content ?? '', type: 'application/octet-stream' } }),
      print: () => ''
    },
    {
      name: 'files read',
      usage: 'files read <path> [--offset=<n>] [--count=<n>]',
      description: 'Print an MFS file',
      args: ['path'],
      flags: { offset: { type: 'int', alias: 'o', description: 'Byte to start at' }, count: { type: 'int', alias: 'n', description: 'Bytes to read' } },
      reply: 'bytes',
      call: ({ args, flags }) => ({ method: 'GET', path: '/ipfs/files/read', query: { path: args[0], offset: flags.offset, count: flags.count } }),
      print: r => r.text ?? `(${r.size} bytes of binary content: see result.base64)`
    },
    {
      name: 'files rm',
      usage: 'files rm <path> [-r] [--force]',
      description: 'Remove a file or directory',
      args: ['path'],
      flags: { recursive: { type: 'bool', alias: 'r', description: 'Remove a directory and its contents' }, force: { type: 'bool', description: 'Ignore a missing path' } },
      reply: 'envelope',
      call: ({ args, flags }) => ({ method: 'POST', path: '/ipfs/files/rm', query: { path: args[0], recursive: flags.recursive, force: flags.force } }),
      print: () => ''
    },
    {
      name: 'files cp',
      usage: 'files cp <source> <destination> [-p]',
      description: 'Copy an MFS path or /ipfs/<cid> into MFS',
      args: ['source', 'destination'],
      flags: { parents: { type: 'bool', alias: 'p', description: 'Make parents as needed' } },
      reply: 'envelope',
      call: ({ args, flags }) => ({ method: 'POST', path: '/ipfs/files/cp', query: { source: args[0], destination: args[1], parents: flags.parents } }),
      print: () => ''
    },
    {
      name: 'files mv',
      usage: 'files mv <source> <destination>',
      description: 'Move or rename',
      args: ['source', 'destination'],
      flags: {},
      reply: 'envelope',
      call: ({ args }) => ({ method: 'POST', path: '/ipfs/files/mv', query: { source: args[0], destination: args[1] } }),
      print: () => ''
    },
    {
      name: 'files flush',
      usage: 'files flush [<path>]',
      description: 'The CID of a path (every change is already durable)',
      args: ['path?'],
      flags: {},
      reply: 'envelope',
      call: ({ args }) => ({ method: 'POST', path: '/ipfs/files/flush', query: { path: path(args) } }),
      print: r => r.cid
    }
  ]
}
