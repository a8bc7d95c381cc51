/** What the page hosting the node knows about itself: leadership and storage. */
export interface LeaderState {
  /** This tab's id (random per tab). */
  tab_id: string
  is_leader: boolean
  /** Unix ms when this tab took the lock, if it holds it. */
  leader_since: number | null
}

export interface StorageReport {
  /** False where the StorageManager API is absent (Node, old browsers). */
  available: boolean
  usage_bytes: number | null
  quota_bytes: number | null
  persisted: boolean | null
}

export interface HostInfo {
  leader(): LeaderState
  storage(): Promise<StorageReport>
}

/** Reads `navigator.storage` where it exists. */
export async function storageEstimate (): Promise<StorageReport> {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage
  if (storage?.estimate == null) {
    return { available: false, usage_bytes: null, quota_bytes: null, persisted: null }
  }
  const [estimate, persisted] = await Promise.all([
    storage.estimate(),
    storage.persisted?.() ?? Promise.resolve(null)
  ])
  return { available: true, usage_bytes: estimate.usage ?? null, quota_bytes: estimate.quota ?? null, persisted }
}

/** A host for nodes that are not elected (tests, a Node process). */
export function standaloneHost (): HostInfo {
  const since = Date.now()
  const tabId = `standalone-${Math.random().toString(36).slice(2, 10)}`
  return {
    leader: () => ({ tab_id: tabId, is_leader: true, leader_since: since }),
    storage: storageEstimate
  }
}
