import { CID } from 'multiformats/cid'
import { Uint8ArrayList } from 'uint8arraylist'
import { createLogger } from '../../../logger.ts'
import { codecByCode } from '../ipfs/codecs.ts'
import { localDagWalker } from '../ipfs/dag-walker.ts'
import { connectWebRTC } from './webrtc.ts'
import type { RepoLock } from '../../repo-lock.ts'
import type { NodeHelia } from '../../create-node.ts'
import type { Connection, Stream } from '@libp2p/interface'
import type { AbortOptions } from 'abort-error'

const log = createLogger('mcp:sessions')

/** The protocol a session's blocks travel on, over the WebRTC connection. */
export const SESSION_PROTOCOL = '/mcp-browser-node/content-session/1.0.0'

export type SessionState = 'ready' | 'streaming' | 'completed' | 'failed'

export interface ContentSession {
  session_id: string
  direction: 'outbound' | 'inbound'
  cid: string
  peer_id: string | null
  state: SessionState
  blocks_total: number | null
  bytes_total: number | null
  blocks_transferred: number
  bytes_transferred: number
  /** Unix ms. */
  created_at: number
  started_at: number | null
  finished_at: number | null
  throughput_bytes_per_second: number | null
  /** The remote address of the connection the blocks went over. */
  connection_address: string | null
  error: string | null
}

const SESSION_LIMIT = 100

/**
 * Streams a CID's whole DAG to a peer over a libp2p stream on a WebRTC
 * connection, block by block (each framed as CID + bytes); the receiver
 * checks every block against its CID before storing it. Both sides keep the
 * session's figures.
 */
/** An inbound session with no data for this long is dropped. */
const INBOUND_IDLE_MS = 30_000

export interface ContentSessionsInit {
  /** Held shared while an inbound session stores blocks, so garbage collection waits. */
  repoLock: RepoLock
  /** Told of each DAG received whole. */
  onReceived?(cid: CID, bytes: number, peer: string): void
}

export class ContentSessions {
  private readonly helia: NodeHelia
  private readonly init: ContentSessionsInit
  private readonly sessions = new Map<string, ContentSession>()

  constructor (helia: NodeHelia, init: ContentSessionsInit) {
    this.helia = helia
    this.init = init
  }

  async start (): Promise<void> {
    await this.helia.libp2p.handle(SESSION_PROTOCOL, (stream, connection) => { void this.init.repoLock.shared(async () => { await this.receive(stream, connection) }) })
  }

  async stop (): Promise<void> {
    await this.helia.libp2p.unhandle(SESSION_PROTOCOL)
  }

  list (): ContentSession[] {
    return [...this.sessions.values()].map(s => ({ ...s })).sort((a, b) => b.created_at - a.created_at)
  }

  get (id: string): ContentSession | undefined {
    const session = this.sessions.get(id)
    return session != null ? { ...session } : undefined
  }

  /** Creates a session once the whole DAG is retrievable; with a peer, starts streaming it at once. */
  async create (cid: CID, peerId: string | undefined, options: AbortOptions = {}): Promise<ContentSession> {
    let blocks = 0
    let bytes = 0
    const walker = localDagWalker()({ blockstore: this.helia.blockstore, getCodec: this.helia.getCodec })
    for await (const node of walker.walk(cid, { signal: options.signal })) {
      blocks++
      bytes += node.block.bytes.byteLength
    }
    const session = newSession({ session_id: crypto.randomUUID(), direction: 'outbound', cid: cid.toString(), peer_id: peerId ?? null, blocks_total: blocks, bytes_total: bytes })
    this.remember(session)
    if (peerId != null) {
      // the connection is made before replying, so a peer that cannot be reached is the caller's error
      const connection = await connectWebRTC(this.helia, peerId, options)
      session.connection_address = connection.address
      if (connection.type !== 'webrtc') {
        this.fail(session, `the connection to ${peerId} is ${connection.type}, not WebRTC`)
      } else {
        void this.send(session, cid)
      }
    }
    return { ...session }
  }

  private async send (session: ContentSession, cid: CID): Promise<void> {
    session.state = 'streaming'
    session.started_at = Date.now()
    let stream: Stream | undefined
    try {
      const connection = this.helia.libp2p.getConnections().find(c => c.remotePeer.toString() === session.peer_id && c.remoteAddr.toString() === session.connection_address)
      if (connection == null) throw new Error('the WebRTC connection closed before streaming began')
      stream = await connection.newStream(SESSION_PROTOCOL)
      await write(stream, new TextEncoder().encode(JSON.stringify({ session_id: session.session_id, cid: session.cid })))
      const walker = localDagWalker()({ blockstore: this.helia.blockstore, getCodec: this.helia.getCodec })
      for await (const node of walker.walk(cid)) {
        await write(stream, node.block.cid.bytes)
        await write(stream, node.block.bytes)
        session.blocks_transferred++
        session.bytes_transferred += node.block.bytes.byteLength
      }
      await stream.close()
      this.finish(session)
    } catch (err) {
      stream?.abort(err as Error)
      this.fail(session, (err as Error).message)
    }
  }

  private async receive (stream: Stream, connection: Connection): Promise<void> {
    const buffer = new Uint8ArrayList()
    let session: ContentSession | undefined
    let pendingCid: CID | undefined
    // a sender that goes quiet must not hold the repo lock (and so garbage collection) for ever
    let idle: ReturnType<typeof setTimeout> | undefined
    const stillAlive = (): void => {
      clearTimeout(idle)
      idle = setTimeout(() => { stream.abort(new Error(`no data for ${INBOUND_IDLE_MS / 1000} s`)) }, INBOUND_IDLE_MS)
    }
    stillAlive()
    try {
      for await (const chunk of stream) {
        stillAlive()
        buffer.append(chunk)
        while (buffer.byteLength >= 4) {
          const length = buffer.getUint32(0)
          if (buffer.byteLength < 4 + length) break
          const frame = buffer.subarray(4, 4 + length)
          buffer.consume(4 + length)
          if (session == null) {
            const header = JSON.parse(new TextDecoder().decode(frame)) as { session_id: string, cid: string }
            session = newSession({
              session_id: header.session_id,
              direction: 'inbound',
              cid: CID.parse(header.cid).toString(),
              peer_id: connection.remotePeer.toString(),
              connection_address: connection.remoteAddr.toString()
            })
            session.state = 'streaming'
            session.started_at = session.created_at
            this.remember(session)
          } else if (pendingCid == null) {
            pendingCid = CID.decode(frame)
          } else {
            await this.storeVerified(pendingCid, frame)
            session.blocks_transferred++
            session.bytes_transferred += frame.byteLength
            pendingCid = undefined
          }
        }
      }
      if (session == null) throw new Error('the stream ended before the session header')
      this.finish(session)
      this.init.onReceived?.(CID.parse(session.cid), session.bytes_transferred, session.peer_id ?? '')
    } catch (err) {
      stream.abort(err as Error)
      if (session != null) this.fail(session, (err as Error).message)
      log.error('an inbound content session failed', err)
    } finally {
      clearTimeout(idle)
    }
  }

  /** Stores a block only if its bytes hash to its CID (and decode with its codec). */
  private async storeVerified (cid: CID, bytes: Uint8Array): Promise<void> {
    const hasher = await this.helia.getHasher(cid.multihash.code)
    const digest = await hasher.digest(bytes)
    if (digest.bytes.length !== cid.multihash.bytes.length || !digest.bytes.every((b, i) => b === cid.multihash.bytes[i])) {
      throw new Error(`block ${cid} does not match its hash`)
    }
    codecByCode(cid.code).decode(bytes)
    await this.helia.blockstore.put(cid, bytes)
  }

  private finish (session: ContentSession): void {
    session.state = 'completed'
    session.finished_at = Date.now()
    const seconds = Math.max(0.001, (session.finished_at - (session.started_at ?? session.finished_at)) / 1000)
    session.throughput_bytes_per_second = Math.round(session.bytes_transferred / seconds)
  }

  private fail (session: ContentSession, message: string): void {
    session.state = 'failed'
    session.finished_at = Date.now()
    session.error = message
  }

  private remember (session: ContentSession): void {
    this.sessions.set(session.session_id, session)
    // keep the newest sessions only
    for (const id of [...this.sessions.keys()].slice(0, Math.max(0, this.sessions.size - SESSION_LIMIT))) this.sessions.delete(id)
  }
}

/** A session that has moved no bytes yet. */
function newSession (fields: Pick<ContentSession, 'session_id' | 'direction' | 'cid' | 'peer_id'> & Partial<ContentSession>): ContentSession {
  return {
    state: 'ready',
    blocks_total: null,
    bytes_total: null,
    blocks_transferred: 0,
    bytes_transferred: 0,
    created_at: Date.now(),
    started_at: null,
    finished_at: null,
    throughput_bytes_per_second: null,
    connection_address: null,
    error: null,
    ...fields
  }
}

/** One frame: a 4-byte big-endian length, then the bytes; waits while the stream drains. */
async function write (stream: Stream, bytes: Uint8Array): Promise<void> {
  const frame = new Uint8Array(4 + bytes.byteLength)
  new DataView(frame.buffer).setUint32(0, bytes.byteLength)
  frame.set(bytes, 4)
  if (!stream.send(frame)) {
    await new Promise<void>((resolve, reject) => {
      stream.addEventListener('drain', () => { resolve() }, { once: true })
      stream.addEventListener('close', () => { reject(new Error('the stream closed while sending')) }, { once: true })
    })
  }
}
