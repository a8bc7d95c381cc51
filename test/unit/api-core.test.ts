import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OpenAPIHono } from '@hono/zod-openapi'
import { addRoute } from '../../src/api/route.ts'
import { startTestApi } from './helpers.ts'
import type { ApiEnv } from '../../src/api/env.ts'
import type { TestApi } from './helpers.ts'

describe('core routes', () => {
  let api: TestApi
  beforeAll(async () => { api = await startTestApi() })
  afterAll(async () => { await api.stop() })

  it('health reports the node id and that it is started', async () => {
    const { status, body } = await api.json('/health')
    expect(status).toBe(200)
    expect(body).toMatchObject({ success: true, operation: 'health', status: 'ok', node_started: true, api_version: 'v0' })
    expect(body.node_id).toBe(api.node.peerId.toString())
    expect(typeof body.timestamp).toBe('number')
  })

  it('debug describes server, models, storage and node without secrets', async () => {
    const { body } = await api.json('/debug')
    expect(body.server_info.operation_count).toBeGreaterThanOrEqual(1)
    expect(body.models).toContain('ipfs')
    expect(body.storage).toMatchObject({ available: false })
    expect(body.node.peer_id).toBe(api.node.peerId.toString())
    expect(JSON.stringify(body)).not.toMatch(/private|pkcs8/i)
  })

  it('records every operation, newest first, with status and errors', async () => {
    await api.request('/ipfs/cat/not-a-cid')
    const { body } = await api.json('/operations?limit=2')
    expect(body.count).toBe(2)
    // the listing itself is recorded once it has answered: newest first is the failed cat
    const [failed, before] = body.operations
    expect(before.operation).toBe('debug')
    expect(failed).toMatchObject({ operation: 'ipfs_cat', method: 'GET', status: 400, error_type: 'InvalidCIDError' })
    expect(failed.path).toBe('/api/v0/mcp/ipfs/cat/not-a-cid')
    expect(failed.duration_ms).toBeGreaterThanOrEqual(0)
  })

  it('refuses an operations limit above the ring size', async () => {
    const { status, body } = await api.json('/operations?limit=5000')
    expect(status).toBe(400)
    expect(body.error).toMatch(/limit/)
  })

  it('daemon/status says there is no daemon and who leads', async () => {
    for (const path of ['/daemon/status', '/ipfs/daemon/status']) {
      const { body } = await api.json(path)
      expect(body.daemon).toBe('none')
      expect(body.note).toMatch(/no separate daemon/i)
      expect(body.leader.is_leader).toBe(true)
      expect(body.node_running).toBe(true)
    }
  })

  it('cli/version and ipfs/version report the libraries in use', async () => {
    const { body } = await api.json('/cli/version')
    expect(body.versions.helia).toMatch(/^7\./)
    expect(body.versions.libp2p).toMatch(/^3\./)
    expect(body.api_version).toBe('v0')
    const ipfs = await api.json('/ipfs/version')
    expect(ipfs.body.helia).toBe(body.versions.helia)
  })

  it('ipfs/id gives the peer id and public key, with no addresses while offline', async () => {
    const { body } = await api.json('/ipfs/id')
    expect(body.id).toBe(api.node.peerId.toString())
    expect(body.addresses).toEqual([])
    expect(body.agent_version).toMatch(/helia\/7/)
  })

  it('openapi.json describes every route, aliases included', async () => {
    const { status, body } = await api.json('/openapi.json')
    expect(status).toBe(200)
    expect(body.openapi).toBe('3.1.0')
    const paths = Object.keys(body.paths)
    for (const p of ['/api/v0/mcp/health', '/api/v0/mcp/ipfs/add', '/api/v0/mcp/ipfs/add/json', '/api/v0/mcp/ipfs/cat/{cid}',
      '/api/v0/mcp/ipfs/pin/add', '/api/v0/mcp/ipfs/block/put', '/api/v0/mcp/ipfs/dag/resolve/{cid}', '/api/v0/mcp/ipfs/stats']) {
      expect(paths).toContain(p)
    }
    expect(body.paths['/api/v0/mcp/ipfs/add'].post.operationId).toBe('ipfs_add')
  })

  it('a route declared twice is refused when the API is built', () => {
    const app = new OpenAPIHono<ApiEnv>()
    const spec = { operation: 'twice', method: 'get' as const, path: '/twice', summary: 'twice', tags: ['test'] }
    addRoute(app, spec, (c) => c.text('first'))
    expect(() => { addRoute(app, { ...spec, path: '/other', aliases: ['/twice'] }, (c) => c.text('second')) }).toThrow(/GET \/twice is declared twice/)
  })

  it('an unknown route is a JSON 404', async () => {
    const { status, body } = await api.json('/no/such/route')
    expect(status).toBe(404)
    expect(body).toMatchObject({ success: false, error_type: 'RouteNotFoundError' })
  })

  it('a malformed timeout is a 400', async () => {
    const { status, body } = await api.json('/health?timeout=soon')
    expect(status).toBe(400)
    expect(body.error).toMatch(/timeout/)
  })

  it('stats count operations, errors, bytes and latency', async () => {
    const before = (await api.json('/ipfs/stats')).body.repo
    await api.request('/ipfs/add', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ content: 'stats' }) })
    const { body } = await api.json('/ipfs/stats')
    expect(body.operations.ipfs_add.count).toBe(1)
    expect(body.operations.ipfs_add.bytes_in).toBeGreaterThan(0)
    expect(body.operations.ipfs_cat.errors).toBe(1)
    expect(body.operations.health.latency_ms.p50).toBeGreaterThanOrEqual(0)
    expect(body.repo.object_count).toBe(before.object_count + 1)
    expect(body.repo.size_bytes).toBe(before.size_bytes + 5)
    expect(body.repo.pin_count).toBe(before.pin_count + 1)
  })
})
