/**
 * The credential data key. Without a passphrase it is a non-extractable
 * AES-GCM key, generated once and kept in the store as a CryptoKey (the
 * browser never lets its bytes out). With a passphrase, the key is kept
 * wrapped (AES-KW) under a key derived with PBKDF2-SHA-256, and the store is
 * locked until the passphrase unwraps it for this session.
 */
import { CredentialsLockedError, InvalidParametersError, WrongPassphraseError } from '../errors.ts'
import type { CredentialStore, KeyRecord } from './credential-store.ts'

/** PBKDF2 iterations for a new passphrase (OWASP's 2023 figure for SHA-256). */
export const PBKDF2_ITERATIONS = 600_000
export const MIN_PASSPHRASE_LENGTH = 8

const AES_GCM: AesKeyGenParams = { name: 'AES-GCM', length: 256 }

export interface VaultStatus {
  passphrase_set: boolean
  locked: boolean
}

export class KeyVault {
  private readonly store: CredentialStore
  private readonly iterations: number
  /** The unwrapped key for this session (non-extractable). */
  private key?: CryptoKey

  constructor (store: CredentialStore, options: { iterations?: number } = {}) {
    this.store = store
    this.iterations = options.iterations ?? PBKDF2_ITERATIONS
  }

  async status (): Promise<VaultStatus> {
    const record = await this.store.getKey()
    const wrapped = record?.kind === 'wrapped'
    return { passphrase_set: wrapped, locked: wrapped && this.key == null }
  }

  /** The data key; created on first use; locked stores refuse. */
  async dataKey (): Promise<CryptoKey> {
    if (this.key != null) return this.key
    const record = await this.store.getKey()
    if (record == null) {
      const key = await crypto.subtle.generateKey(AES_GCM, false, ['encrypt', 'decrypt'])
      await this.store.putKey({ kind: 'plain', key })
      this.key = key
      return key
    }
    if (record.kind === 'wrapped') throw new CredentialsLockedError('the credential store is locked: unlock it with its passphrase')
    this.key = record.key
    return record.key
  }

  async unlock (passphrase: string): Promise<void> {
    const record = await this.store.getKey()
    if (record?.kind !== 'wrapped') return
    const kek = await deriveKek(passphrase, record.salt, record.iterations)
    try {
      this.key = await crypto.subtle.unwrapKey('raw', record.wrapped as Uint8Array<ArrayBuffer>, kek, 'AES-KW', AES_GCM, false, ['encrypt', 'decrypt'])
    } catch {
      throw new WrongPassphraseError('the passphrase does not unlock the credential store')
    }
  }

  /** Forgets the unwrapped key (only a passphrase can bring it back). */
  async lock (): Promise<void> {
    const record = await this.store.getKey()
    if (record?.kind !== 'wrapped') throw new InvalidParametersError('no passphrase is set: there is nothing to lock with')
    this.key = undefined
  }

  /**
   * A new data key, wrapped under `passphrase` (or plain when null), for
   * re-encrypting every record; `commit` stores it with them.
   */
  async rekey (passphrase: string | null): Promise<{ key: CryptoKey, record: KeyRecord }> {
    if (passphrase != null && passphrase.length < MIN_PASSPHRASE_LENGTH) {
      throw new InvalidParametersError(`passphrase: at least ${MIN_PASSPHRASE_LENGTH} characters`)
    }
    if (passphrase == null) {
      const key = await crypto.subtle.generateKey(AES_GCM, false, ['encrypt', 'decrypt'])
      return { key, record: { kind: 'plain', key } }
    }
    // extractable only long enough to be wrapped; the session keeps a non-extractable copy
    const extractable = await crypto.subtle.generateKey(AES_GCM, true, ['encrypt', 'decrypt'])
    const salt = crypto.getRandomValues(new Uint8Array(16))
    const kek = await deriveKek(passphrase, salt, this.iterations)
    const wrapped = new Uint8Array(await crypto.subtle.wrapKey('raw', extractable, kek, 'AES-KW'))
    const key = await crypto.subtle.unwrapKey('raw', wrapped, kek, 'AES-KW', AES_GCM, false, ['encrypt', 'decrypt'])
    return { key, record: { kind: 'wrapped', salt, iterations: this.iterations, wrapped } }
  }

  /** After the store took the new key and records. */
  adopt (key: CryptoKey): void {
    this.key = key
  }
}

async function deriveKek (passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, ['deriveKey'])
  return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as Uint8Array<ArrayBuffer>, iterations }, material, { name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey'])
}
