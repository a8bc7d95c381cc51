import { createLogger } from '../logger.ts'
import { BLOCKSTORE_KINDS } from '../node/stores/browser-stores.ts'
import type { BlockstoreKind } from '../node/stores/browser-stores.ts'

const log = createLogger('mcp:config')

/**
 * Which store this browser profile's node keeps its blocks in. It is chosen
 * on the node's first start, with `?blockstore=opfs` (or `indexeddb`) in the
 * page's URL, IndexedDB otherwise, and then kept: blocks written to one store
 * are not in the other. A profile whose blocks are already in IndexedDB (a
 * node from before the choice existed) stays there. A later `?blockstore=`
 * naming the other store is reported and not followed.
 */
export async function chooseBlockstore (prefix: string): Promise<BlockstoreKind> {
  const key = `${prefix}:blockstore`
  const asked = new URLSearchParams(location.search).get('blockstore')
  if (asked != null && !BLOCKSTORE_KINDS.includes(asked as BlockstoreKind)) {
    log.error(`?blockstore=${asked} is not one of ${BLOCKSTORE_KINDS.join(', ')}: it is not followed`)
  }
  const saved = localStorage.getItem(key) as BlockstoreKind | null
  if (saved != null && BLOCKSTORE_KINDS.includes(saved)) {
    if (asked != null && asked !== saved) log.error(`this node keeps its blocks in ${saved}; ?blockstore=${asked} applies only to a new node`)
    return saved
  }
  let kind: BlockstoreKind = asked === 'opfs' ? 'opfs' : 'indexeddb'
  if (kind === 'opfs' && (await indexedDB.databases()).some(db => db.name === `${prefix}/blocks`)) {
    log.error('this node already keeps its blocks in IndexedDB: they stay there')
    kind = 'indexeddb'
  }
  localStorage.setItem(key, kind)
  return kind
}
