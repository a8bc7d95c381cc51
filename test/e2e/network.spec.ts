import { expect, test } from '@playwright/test'
import { call, openApp } from './helpers.ts'
import type { Page } from '@playwright/test'

/** The node's own WebRTC address (through the relay), once it has a reservation. */
async function webrtcAddress (page: Page): Promise<string> {
  let address: string | undefined
  await expect.poll(async () => {
    const id = (await call(page, '/ipfs/id')).json
    address = (id.addresses as string[]).find(a => a.includes('/p2p-circuit/webrtc'))
    return address
  }, { timeout: 20_000 }).toBeDefined()
  return address!
}

test('two browsers: B connects to A over native WebRTC and fetches A\'s file block by block', async ({ browser }) => {
  test.setTimeout(90_000)
  const a = await openApp(await browser.newContext())
  const b = await openApp(await browser.newContext())
  const idA = (await call(a, '/ipfs/id')).json.id
  expect(idA).not.toBe((await call(b, '/ipfs/id')).json.id)

  const address = await webrtcAddress(a)
  const connected = await call(b, '/ipfs/swarm/connect', { json: { address } })
  expect(connected.status).toBe(200)
  expect(connected.json).toMatchObject({ peer: idA, type: 'webrtc' })
  expect(connected.json.address).toContain('/webrtc')

  const added = await a.evaluate(async () => {
    const data = new Uint8Array(5 * 1024 * 1024)
    for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536))
    const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', data))].map(v => v.toString(16).padStart(2, '0')).join('')
    const reply = await (await fetch('/api/v0/mcp/ipfs/add', { method: 'POST', body: new Blob([data]), headers: { 'Content-Type': 'application/octet-stream' } })).json()
    return { cid: reply.cid as string, digest }
  })
  const fetched = await b.evaluate(async (cid) => {
    const response = await fetch(`/api/v0/mcp/ipfs/cat/${cid}?timeout=60s`)
    const data = new Uint8Array(await response.arrayBuffer())
    const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', data))].map(v => v.toString(16).padStart(2, '0')).join('')
    return { status: response.status, size: data.byteLength, digest }
  }, added.cid)
  expect(fetched).toEqual({ status: 200, size: 5 * 1024 * 1024, digest: added.digest })

  const peersOfB = (await call(b, '/ipfs/swarm/peers')).json.peers as Array<{ peer: string, type: string }>
  expect(peersOfB).toContainEqual(expect.objectContaining({ peer: idA, type: 'webrtc' }))
  const peersOfA = (await call(a, '/ipfs/swarm/peers')).json.peers as Array<{ peer: string, type: string }>
  expect(peersOfA.map(p => p.type)).toContain('websockets')
  await a.context().close()
  await b.context().close()
})

test('swarm input is checked: a malformed multiaddr or peer id is a 400', async ({ context }) => {
  const page = await openApp(context)
  expect((await call(page, '/ipfs/swarm/connect', { json: { address: '/not/a/multiaddr' } })).status).toBe(400)
  expect((await call(page, '/ipfs/swarm/connect', { json: { address: 'not-a-peer-id' } })).status).toBe(400)
  expect((await call(page, '/ipfs/swarm/disconnect', { json: {} })).status).toBe(400)
})
