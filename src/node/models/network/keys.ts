import { peerIdFromMultihash } from '@libp2p/peer-id'
import { base36 } from 'multiformats/bases/base36'
import { AlreadyExistsError, InvalidParametersError, KeyNotFoundError } from '../../errors.ts'
import type { Helia } from '@helia/interface'
import type { AbortOptions } from 'abort-error'

export interface KeyDescription {
  name: string
  /** The IPNS name this key publishes under (base36 libp2p-key CID, as Kubo shows it). */
  id: string
  peer_id: string
  type: string
}

export const SELF_KEY = 'self'
const KEY_TYPES: Record<string, string> = { ed25519: 'Ed25519', rsa: 'RSA', secp256k1: 'secp256k1', ecdsa: 'ECDSA' }

async function describeKey (helia: Pick<Helia, 'keychain'>, name: string, options?: AbortOptions): Promise<KeyDescription> {
  const key = await helia.keychain.exportKey(name, options)
  const peerId = peerIdFromMultihash(key.publicKey.toMultihash())
  return { name, id: key.publicKey.toCID().toString(base36), peer_id: peerId.toString(), type: key.type }
}

export async function generateKey (helia: Pick<Helia, 'keychain'>, name: string, type = 'ed25519', options?: AbortOptions): Promise<KeyDescription> {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new InvalidParametersError(`key name "${name}" must be 1-64 letters, digits, "_", "." or "-"`)
  const keyType = KEY_TYPES[type.toLowerCase()]
  if (keyType == null) throw new InvalidParametersError(`key type "${type}" is not one of ${Object.keys(KEY_TYPES).join(', ')}`)
  if (await hasKey(helia, name, options)) throw new AlreadyExistsError(`a key named "${name}" already exists`)
  await helia.keychain.generateKey(name, { ...options, type: keyType })
  return describeKey(helia, name, options)
}

export async function listKeys (helia: Pick<Helia, 'keychain'>, options?: AbortOptions): Promise<KeyDescription[]> {
  const names: string[] = []
  for await (const key of helia.keychain.listKeys(options)) names.push(key.name)
  return Promise.all(names.sort().map(async name => describeKey(helia, name, options)))
}

export async function removeKey (helia: Pick<Helia, 'keychain'>, name: string, options?: AbortOptions): Promise<KeyDescription> {
  if (name === SELF_KEY) throw new InvalidParametersError('the "self" key is this node\'s identity and cannot be removed')
  let description: KeyDescription
  try {
    description = await describeKey(helia, name, options)
  } catch {
    throw new KeyNotFoundError(`no key named "${name}"`)
  }
  await helia.keychain.removeKey(name, options)
  return description
}

/** Fails unless the keychain holds a key of that name (publishing would otherwise create one silently). */
export async function requireKey (helia: Pick<Helia, 'keychain'>, name: string, options?: AbortOptions): Promise<void> {
  if (!await hasKey(helia, name, options)) throw new KeyNotFoundError(`no key named "${name}": create it with key/gen first`)
}

async function hasKey (helia: Pick<Helia, 'keychain'>, name: string, options?: AbortOptions): Promise<boolean> {
  for await (const key of helia.keychain.listKeys(options)) {
    if (key.name === name) return true
  }
  return false
}
