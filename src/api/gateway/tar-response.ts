/**
 * `?format=tar` (or `Accept: application/x-tar`): a file or a directory tree
 * as one tar archive, as the path gateway spec offers for saving a tree.
 */
import { getContent } from '../../node/models/ipfs/get.ts'
import { tarStream } from '../../node/models/ipfs/tar.ts'
import { contentDisposition } from './content-disposition.ts'
import { contentHeaders, notModified, reply } from './gateway-request.ts'
import { MEDIA_TYPES } from './response-format.ts'
import type { GatewayRequest } from './gateway-request.ts'
import type { TarEntry } from '../../node/models/ipfs/tar.ts'

export async function tarResponse (req: GatewayRequest): Promise<Response> {
  const got = await getContent(req.deps.node.helia, req.target, req.read)
  const cid = got.kind === 'file' ? got.file.cid : got.cid
  const name = got.kind === 'file' ? got.file.name : got.name
  const headers = contentHeaders(req, undefined, `W/"${cid.toString()}.x-tar"`)
  const unchanged = notModified(req, headers)
  if (unchanged != null) return unchanged
  const filename = req.c.req.query('filename')
  headers.set('Content-Type', MEDIA_TYPES.tar)
  headers.set('Content-Disposition', contentDisposition('attachment', filename != null && filename !== '' ? filename : `${name}.tar`))
  headers.set('X-Content-Type-Options', 'nosniff')
  if (req.head) return reply(req, 200, headers, undefined)
  if (got.kind === 'directory') return reply(req, 200, headers, got.content)
  const file = got.file
  async function * single (): AsyncGenerator<TarEntry> {
    yield { path: name, type: 'file', size: file.size, content: file.read().content }
  }
  return reply(req, 200, headers, tarStream(single()))
}
