/** This tab's host: it runs the node when it holds the lock, and is served through the service worker otherwise. */
import { startHost } from '../sw/host.ts'

export const host = startHost()
