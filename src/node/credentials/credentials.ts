/**
 * Storage-service credentials, encrypted at rest. Lists and info never carry
 * a secret (at most its last characters, masked); only `use()`, which no
 * route calls, returns the values, for the storage backends that need them.
 */
import { AlreadyExistsError, CredentialIntegrityError, CredentialNotFoundError, InvalidParametersError } from '../errors.ts'
import { CREDENTIAL_TYPES, typeOf, validateValues } from './credential-types.ts'
import { KeyVault } from './key-vault.ts'
import type { CredentialMetadata, CredentialStore, StoredCredential } from './credential-store.ts'
import type { TypeSpec } from './credential-types.ts'
import type { VaultStatus } from './key-vault.ts'

export type { CredentialMetadata }

export interface FieldInfo {
  secret: boolean
  present: boolean
  /** A public field's value. */
  value?: string
  /** A secret's last characters behind asterisks (none for short secrets); null while the store is locked. */
  masked?: string | null
}

export interface CredentialInfo extends CredentialMetadata {
  fields: Record<string, FieldInfo>
}

export interface AddCredentialInit {
  service: string
  name: string
  values: Record<string, unknown>
  overwrite?: boolean
}

export interface UsableCredential extends CredentialMetadata {
  values: Record<string, string>
}

const SERVICE = /^[a-z0-9][a-z0-9_.-]{0,63}$/
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$/

function checkIds (service: string, name: string): void {
  if (!SERVICE.test(service)) throw new InvalidParametersError('service: lower-case letters, digits, _ . - (at most 64)')
  if (!NAME.test(name)) throw new InvalidParametersError('name: letters, digits, _ . @ - (at most 128)')
}

const additionalData = (service: string, name: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(`mcp-credential\u0000${service}\u0000${name}`)

/** Shows at most the last 4 characters, and none of a secret shorter than 12. */
export function maskSecret (secret: string): string {
  const shown = secret.length >= 12 ? 4 : 0
  return `${'*'.repeat(Math.min(8, Math.max(4, secret.length - shown)))}${secret.slice(secret.length - shown)}`
}

export class Credentials {
  private readonly store: CredentialStore
  private readonly vault: KeyVault
  /** Changes and reads run one at a time, so a re-key never races an add, a removal or a use. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor (store: CredentialStore, options: { iterations?: number } = {}) {
    this.store = store
    this.vault = new KeyVault(store, options)
  }

  types (): Array<{ type: string, description: string, fields: Array<{ name: string, secret: boolean, required: boolean, description: string }> }> {
    return Object.values(CREDENTIAL_TYPES).map((t: TypeSpec) => ({
      type: t.type,
      description: t.description,
      fields: t.fields.map(f => ({ name: f.name, secret: f.secret, required: f.required, description: f.description }))
    }))
  }

  async list (service?: string): Promise<CredentialMetadata[]> {
    const all = await this.store.list()
    return all.filter(r => service == null || r.service === service).map(metadata)
      .sort((a, b) => a.service.localeCompare(b.service) || a.name.localeCompare(b.name))
  }

  async status (): Promise<VaultStatus & { count: number }> {
    return { ...(await this.vault.status()), count: (await this.store.list()).length }
  }

  async add (init: AddCredentialInit): Promise<CredentialMetadata> {
    return this.serial(async () => this.addNow(init))
  }

  private async addNow (init: AddCredentialInit): Promise<CredentialMetadata> {
    checkIds(init.service, init.name)
    const spec = typeOf(init.service)
    const split = validateValues(spec, init.values)
    const existing = await this.store.get(init.service, init.name)
    if (existing != null && init.overwrite !== true) {
      throw new AlreadyExistsError(`a credential ${init.service}/${init.name} exists: give overwrite: true to replace it`)
    }
    const key = await this.vault.dataKey()
    const iv = crypto.getRandomValues(new Uint8Array(12))
    const plaintext = new TextEncoder().encode(JSON.stringify(split.secret))
    const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: additionalData(init.service, init.name) }, key, plaintext))
    const record: StoredCredential = {
      id: existing?.id ?? crypto.randomUUID(),
      service: init.service,
      name: init.name,
      credential_type: spec.type,
      added_at: Date.now(),
      last_used: null,
      use_count: 0,
      public: split.public,
      secret_fields: Object.keys(split.secret).sort(),
      iv,
      ciphertext
    }
    await this.store.put(record)
    return metadata(record)
  }

  /** Metadata and each field: public values shown, secrets present/absent and masked. */
  async info (service: string, name: string): Promise<CredentialInfo> {
    return this.serial(async () => this.infoNow(service, name))
  }

  private async infoNow (service: string, name: string): Promise<CredentialInfo> {
    const record = await this.require(service, name)
    const status = await this.vault.status()
    const secrets = status.locked ? undefined : await this.decrypt(record)
    const spec = typeOf(record.credential_type)
    const names = new Set([...spec.fields.map(f => f.name), ...Object.keys(record.public), ...record.secret_fields])
    const fields: Record<string, FieldInfo> = {}
    for (const field of names) {
      const secret = record.secret_fields.includes(field) || spec.fields.find(f => f.name === field)?.secret === true || spec.type === 'generic'
      if (secret) {
        const present = record.secret_fields.includes(field)
        const value = secrets?.[field]
        fields[field] = present ? { secret: true, present, masked: value == null ? null : maskSecret(value) } : { secret: true, present }
      } else {
        const value = record.public[field]
        fields[field] = { secret: false, present: value != null, ...(value != null ? { value } : {}) }
      }
    }
    return { ...metadata(record), fields }
  }

  async remove (service: string, name: string): Promise<CredentialMetadata> {
    return this.serial(async () => {
      const record = await this.require(service, name)
      await this.store.delete(service, name)
      return metadata(record)
    })
  }

  /**
   * The decrypted values, for the node's own storage backends; no route
   * reaches this. Counts the use.
   */
  async use (service: string, name: string): Promise<UsableCredential> {
    return this.serial(async () => {
      const record = await this.require(service, name)
      const secrets = await this.decrypt(record)
      record.use_count++
      record.last_used = Date.now()
      await this.store.put(record)
      return { ...metadata(record), values: { ...record.public, ...secrets } }
    })
  }

  async unlock (passphrase: string): Promise<void> {
    await this.vault.unlock(passphrase)
  }

  async lock (): Promise<void> {
    await this.vault.lock()
  }

  /** Sets, changes or (null) removes the passphrase; every record is re-encrypted under a new key in one transaction. */
  async setPassphrase (passphrase: string | null): Promise<VaultStatus> {
    return this.serial(async () => this.setPassphraseNow(passphrase))
  }

  private async setPassphraseNow (passphrase: string | null): Promise<VaultStatus> {
    const records = await this.store.list()
    const plain = await Promise.all(records.map(async r => ({ record: r, secrets: await this.decrypt(r) })))
    const { key, record: keyRecord } = await this.vault.rekey(passphrase)
    const reencrypted = await Promise.all(plain.map(async ({ record, secrets }) => {
      const iv = crypto.getRandomValues(new Uint8Array(12))
      const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: additionalData(record.service, record.name) }, key, new TextEncoder().encode(JSON.stringify(secrets))))
      return { ...record, iv, ciphertext }
    }))
    await this.store.replaceAll(keyRecord, reencrypted)
    this.vault.adopt(key)
    return this.vault.status()
  }

  private async serial<T> (fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn)
    this.queue = run.catch(() => {})
    return run
  }

  private async require (service: string, name: string): Promise<StoredCredential> {
    checkIds(service, name)
    const record = await this.store.get(service, name)
    if (record == null) throw new CredentialNotFoundError(`no credential ${service}/${name}`)
    return record
  }

  private async decrypt (record: StoredCredential): Promise<Record<string, string>> {
    const key = await this.vault.dataKey()
    let plaintext: ArrayBuffer
    try {
      plaintext = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: record.iv as Uint8Array<ArrayBuffer>, additionalData: additionalData(record.service, record.name) }, key, record.ciphertext as Uint8Array<ArrayBuffer>)
    } catch {
      // fail closed: nothing of a record that does not authenticate is used
      throw new CredentialIntegrityError(`the stored credential ${record.service}/${record.name} does not decrypt: it was altered, or moved from another name`)
    }
    return JSON.parse(new TextDecoder().decode(plaintext)) as Record<string, string>
  }
}

function metadata (r: StoredCredential): CredentialMetadata {
  return { id: r.id, service: r.service, name: r.name, credential_type: r.credential_type, added_at: r.added_at, last_used: r.last_used, use_count: r.use_count }
}
