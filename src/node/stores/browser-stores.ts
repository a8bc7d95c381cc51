import { IDBDatastore } from 'datastore-idb'
import { IDBRepoBlockstore } from './idb-blockstore.ts'
import type { NodeStores } from '../create-node.ts'

/** Opens the node's persistent stores in IndexedDB (blocks and everything else). */
export async function openBrowserStores (prefix = 'mcp-node'): Promise<NodeStores> {
  const blockstore = new IDBRepoBlockstore(`${prefix}/blocks`)
  const datastore = new IDBDatastore(`${prefix}/datastore`)
  await Promise.all([blockstore.open(), datastore.open()])
  return { blockstore, datastore }
}
