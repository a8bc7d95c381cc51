/** A command line the CLI cannot run: unknown command, bad flag, missing argument. */
export class CliUsageError extends Error {
  static name = 'CliUsageError'
  name = 'CliUsageError'
  /** The usage text of the command, when one was recognised. */
  readonly usage?: string

  constructor (message: string, usage?: string) {
    super(message)
    this.usage = usage
  }
}
