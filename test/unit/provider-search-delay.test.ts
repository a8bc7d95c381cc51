import { defaultLogger } from '@libp2p/logger'
import { MemoryBlockstore } from 'blockstore-core'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { describe, expect, it } from 'vitest'
import { withDelayedSearchBitswap, withProviderSearchDelay } from '../../src/node/provider-search-delay.ts'
import type { Provider, Routing } from '@helia/interface'
import type { AbortOptions } from 'abort-error'

async function drain (source: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of source);
}

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** A routing that records the provider searches it is asked for, and finds `found`. */
function recordingRouting (found: Provider[] = []): Routing & { searched: CID[] } {
  const searched: CID[] = []
  return {
    searched,
    async * findProviders (cid: CID) {
      searched.push(cid)
      yield * found
    },
    async provide () {},
    async cancelReprovide () {},
    async put () {},
    async get () { throw new Error('not here') },
    async findPeer () { throw new Error('not here') },
    async * getClosestPeers () {}
  }
}

async function someCid (text: string): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(text)))
}

describe('the provider search delay', () => {
  it('searches only once a block has been wanted for the delay, and never when the want ended before', async () => {
    const routing = recordingRouting([{ id: 'a provider', multiaddrs: [] } as unknown as Provider])
    const helia = { routing, logger: defaultLogger() }
    const view = withProviderSearchDelay(helia, 50)
    const cid = await someCid('one')

    const found: unknown[] = []
    const searching = (async () => { for await (const provider of view.routing.findProviders(cid)) found.push(provider) })()
    await sleep(20)
    expect(routing.searched).toEqual([])
    await searching
    expect(routing.searched).toEqual([cid])
    expect(found).toEqual([{ id: 'a provider', multiaddrs: [] }])

    const controller = new AbortController()
    const abandoned = (async () => { for await (const provider of view.routing.findProviders(cid, { signal: controller.signal })) found.push(provider) })()
    await sleep(10)
    controller.abort()
    await abandoned
    await sleep(80)
    expect(routing.searched).toEqual([cid])
    expect(found).toHaveLength(1)
    // a signal aborted already: no wait, no search
    await drain(view.routing.findProviders(cid, { signal: AbortSignal.abort() }))
    expect(routing.searched).toEqual([cid])
  })

  it('changes nothing else: the node itself searches at once, and every other part is the node\'s own', async () => {
    const routing = recordingRouting()
    const helia = { routing, logger: defaultLogger() }
    const view = withProviderSearchDelay(helia, 10_000)
    expect(view.logger).toBe(helia.logger)
    expect(view.routing.provide).toBe(routing.provide)
    expect({ ...view }.routing).toBe(view.routing)
    await drain(helia.routing.findProviders(await someCid('two')))
    expect(routing.searched).toHaveLength(1)
  })

  it('is what bitswap searches with: a block that comes within the delay starts no search', async () => {
    const routing = recordingRouting()
    const mixins: Array<{ name: string, start?(helia: unknown): Promise<void> | void }> = []
    const brokers: Array<{ name: string, retrieve(cid: CID, options: AbortOptions): Promise<Uint8Array>, stop?(): Promise<void> }> = []
    const libp2p = {
      handle: async () => {},
      unhandle: async () => {},
      register: async () => 'id',
      unregister: () => {},
      getConnections: () => [],
      isDialable: async () => true
    }
    const helia = {
      status: 'starting',
      routing,
      logger: defaultLogger(),
      blockstore: new MemoryBlockstore(),
      libp2p,
      addMixin: (mixin: typeof mixins[number]) => { mixins.push(mixin) },
      hasBlockBroker: (name: string) => brokers.some(b => b.name === name),
      addBlockBroker: (broker: typeof brokers[number]) => { brokers.push(broker) }
    }
    withDelayedSearchBitswap(helia as never, 60)
    expect(mixins.map(m => m.name)).toEqual(['bitswap'])
    await mixins[0].start?.(helia)
    expect(brokers.map(b => b.name)).toEqual(['bitswap'])

    const quick = await someCid('quick')
    const controller = new AbortController()
    const wanted = brokers[0].retrieve(quick, { signal: controller.signal })
    wanted.catch(() => {})
    await sleep(20)
    // the want ends before the delay (as when the block comes): no search, then or later
    controller.abort()
    await expect(wanted).rejects.toThrow()
    await sleep(100)
    expect(routing.searched).toEqual([])

    const slow = await someCid('slow')
    const waiting = new AbortController()
    const pending = brokers[0].retrieve(slow, { signal: waiting.signal })
    pending.catch(() => {})
    await sleep(150)
    expect(routing.searched).toEqual([slow])
    waiting.abort()
    await brokers[0].stop?.()
  })
})
