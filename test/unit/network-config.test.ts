import { MemoryDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { describe, expect, it } from 'vitest'
import { forgetPeersIfRelaysChanged } from '../../src/node/network.ts'

const RELAY_A = '/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'
const RELAY_B = '/ip4/127.0.0.1/tcp/9091/ws/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'

describe('the peers a node learned, when its relays change', () => {
  it('are forgotten when the relay list changes, kept when it is the same, and kept when it could not be read', async () => {
    const datastore = new MemoryDatastore()
    const learned = new Key('/peers/some-peer')
    expect(await forgetPeersIfRelaysChanged(datastore, { relays: [RELAY_A] })).toBe(false)
    await datastore.put(learned, new Uint8Array([1]))
    expect(await forgetPeersIfRelaysChanged(datastore, { relays: [RELAY_A] })).toBe(false)
    expect(await datastore.has(learned)).toBe(true)
    // opened offline: the list is unknown, not empty
    expect(await forgetPeersIfRelaysChanged(datastore, { relays: [], relaysKnown: false })).toBe(false)
    expect(await datastore.has(learned)).toBe(true)
    expect(await forgetPeersIfRelaysChanged(datastore, { relays: [RELAY_B] })).toBe(true)
    expect(await datastore.has(learned)).toBe(false)
  })
})
