import { raceSignal } from 'race-signal'
import { NetworkStartError } from './errors.ts'
import type { AbortOptions } from '@libp2p/interface'

/** Where the node's network is: libp2p and what runs on it start after the node answers. */
export type NetworkStatus = 'starting' | 'started' | 'failed'

/**
 * The start of the node's network, which runs on while the node already
 * answers from its stores: what needs libp2p waits for it here.
 */
export class NetworkStart {
  #status: NetworkStatus = 'starting'
  #error: Error | undefined
  readonly #settled: Promise<void>

  constructor (starting: Promise<void>) {
    this.#settled = starting.then(() => {
      this.#status = 'started'
    }, (err: unknown) => {
      this.#status = 'failed'
      this.#error = err instanceof Error ? err : new Error(String(err))
    })
  }

  get status (): NetworkStatus {
    return this.#status
  }

  /** Why the start failed, once it has. */
  get error (): Error | undefined {
    return this.#error
  }

  /** Resolves once the network has started; throws NetworkStartError if it could not, or the signal's reason if it aborts first. */
  async ready (options: AbortOptions = {}): Promise<void> {
    if (this.#status === 'starting') await raceSignal(this.#settled, options.signal)
    if (this.#status === 'failed') throw new NetworkStartError(`the node's network could not start: ${this.#error?.message ?? 'unknown error'}`)
  }

  /** Settles when the start does, either way: stopping the node waits for it. */
  async settled (): Promise<void> {
    await this.#settled
  }
}
