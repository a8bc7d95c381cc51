// Versions baked into the build (the app reports them on /cli/version and /ipfs/version).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const versionOf = (pkg) => JSON.parse(readFileSync(`${root}/${pkg}/package.json`, 'utf8')).version

export function versions () {
  return {
    app: versionOf('.'),
    api: 'v0',
    helia: versionOf('node_modules/helia'),
    libp2p: versionOf('node_modules/libp2p')
  }
}
