import { classifyError } from '../errors.ts'
import type { ApiEnv } from '../env.ts'
import type { Context } from 'hono'

/** Kubo's error codes (cmds.ErrorType): 0 normal, 1 client. */
const ERR_NORMAL = 0
const ERR_CLIENT = 1

/**
 * An error as Kubo's RPC writes it: `{Message, Code, Type: "error"}`, 400 for
 * bad input (Code 1) and 500 for everything else (Code 0), so clients written
 * for Kubo read it as they would a daemon's.
 */
export function kuboError (c: Context<ApiEnv>, err: unknown): Response {
  const classified = classifyError(err)
  const client = classified.status >= 400 && classified.status < 500 && classified.status !== 404 && classified.status !== 408
  return c.json({ Message: classified.error, Code: client ? ERR_CLIENT : ERR_NORMAL, Type: 'error' }, client ? 400 : 500)
}
