// Bundled for the page by kubo.spec.ts: the real client, as an app would ship it.
export { create } from 'kubo-rpc-client'
export { CID } from 'multiformats/cid'
export { multiaddr } from '@multiformats/multiaddr'
export { peerIdFromString } from '@libp2p/peer-id'
