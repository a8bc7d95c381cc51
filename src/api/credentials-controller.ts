import { z } from '@hono/zod-openapi'
import { ok } from './envelope.ts'
import { addRoute } from './route.ts'
import { parseJsonBody, parseQuery } from './validate.ts'
import type { ApiDeps, ApiEnv } from './env.ts'
import type { OpenAPIHono } from '@hono/zod-openapi'

const tags = ['credentials']
const values = z.record(z.string(), z.unknown()).openapi({ description: 'The fields of the credential type (GET /credentials/types)' })

const AddBody = z.object({
  service: z.string().min(1),
  name: z.string().min(1),
  values,
  overwrite: z.boolean().optional()
})

/** The typed routes take the fields at the top level, beside name and overwrite. */
const TypedBody = z.object({ name: z.string().min(1), overwrite: z.boolean().optional() }).catchall(z.unknown())
const IdQuery = z.object({ service: z.string().min(1), name: z.string().min(1) })
const ListQuery = z.object({ service: z.string().optional() })
const PassphraseBody = z.object({ passphrase: z.string().min(1).max(1024) })
const SetPassphraseBody = z.object({ passphrase: z.string().max(1024).nullable().openapi({ description: 'The new passphrase, or null to remove it' }) })

/** Credentials: kept encrypted; no route ever returns a secret. */
export function registerCredentialRoutes (app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { credentials } = deps.node

  addRoute(app, { operation: 'credentials_types', method: 'get', path: '/credentials/types', summary: 'Credential types, their fields, and which are secret', tags }, (c) =>
    ok(c, { types: credentials.types() }))

  addRoute(app, { operation: 'credentials_status', method: 'get', path: '/credentials/status', summary: 'Whether a passphrase is set and the store is locked; how many credentials', tags }, async (c) =>
    ok(c, { ...await credentials.status() }))

  addRoute(app, {
    operation: 'credentials_list',
    method: 'get',
    path: '/credentials',
    aliases: ['/credentials/list'],
    summary: 'Credentials (metadata only, never a secret), optionally for one service',
    tags,
    request: { query: ListQuery }
  }, async (c) => {
    const list = await credentials.list(parseQuery(c, ListQuery).service)
    return ok(c, { credentials: list, count: list.length })
  })

  addRoute(app, {
    operation: 'credentials_info',
    method: 'get',
    path: '/credentials/info',
    summary: 'One credential: metadata, public fields, and each secret as present and masked (last 4 characters at most)',
    tags,
    request: { query: IdQuery }
  }, async (c) => {
    const { service, name } = parseQuery(c, IdQuery)
    return ok(c, { credential: await credentials.info(service, name) })
  })

  addRoute(app, {
    operation: 'credentials_info',
    method: 'get',
    path: '/credentials/{service}/{name}',
    summary: 'One credential, as /credentials/info',
    tags,
    request: { params: IdQuery }
  }, async (c) => ok(c, { credential: await credentials.info(c.req.param('service') ?? '', c.req.param('name') ?? '') }))

  addRoute(app, {
    operation: 'credentials_add',
    method: 'post',
    path: '/credentials',
    aliases: ['/credentials/add'],
    summary: 'Add a credential {service, name, values, overwrite?}; an existing name is a 409 unless overwrite',
    tags,
    request: { body: { required: true, content: { 'application/json': { schema: AddBody } } } }
  }, async (c) => {
    const body = await parseJsonBody(c, AddBody)
    return ok(c, { credential: await credentials.add(body) })
  })

  for (const service of ['s3', 'storacha', 'filecoin', 'ipfs'] as const) {
    addRoute(app, {
      operation: `credentials_add_${service}`,
      method: 'post',
      path: `/credentials/${service}`,
      summary: `Add ${service} credentials: {name, overwrite?, …fields}`,
      tags,
      request: { body: { required: true, content: { 'application/json': { schema: TypedBody } } } }
    }, async (c) => {
      const { name, overwrite, ...fields } = await parseJsonBody(c, TypedBody)
      return ok(c, { credential: await credentials.add({ service, name, values: fields, overwrite }) })
    })
  }

  addRoute(app, {
    operation: 'credentials_delete',
    method: 'delete',
    path: '/credentials/{service}/{name}',
    summary: 'Delete a credential',
    tags,
    request: { params: IdQuery }
  }, async (c) => ok(c, { deleted: true, credential: await credentials.remove(c.req.param('service') ?? '', c.req.param('name') ?? '') }))

  addRoute(app, {
    operation: 'credentials_delete',
    method: 'post',
    path: '/credentials/delete',
    summary: 'Delete a credential {service, name}',
    tags,
    request: { body: { required: true, content: { 'application/json': { schema: IdQuery } } } }
  }, async (c) => {
    const { service, name } = await parseJsonBody(c, IdQuery)
    return ok(c, { deleted: true, credential: await credentials.remove(service, name) })
  })

  addRoute(app, {
    operation: 'credentials_unlock',
    method: 'post',
    path: '/credentials/unlock',
    summary: 'Unlock the store with its passphrase (a wrong one is a 403)',
    tags,
    request: { body: { required: true, content: { 'application/json': { schema: PassphraseBody } } } }
  }, async (c) => {
    await credentials.unlock((await parseJsonBody(c, PassphraseBody)).passphrase)
    return ok(c, { ...await credentials.status() })
  })

  addRoute(app, { operation: 'credentials_lock', method: 'post', path: '/credentials/lock', summary: 'Lock the store (when a passphrase is set)', tags }, async (c) => {
    await credentials.lock()
    return ok(c, { ...await credentials.status() })
  })

  addRoute(app, {
    operation: 'credentials_passphrase',
    method: 'post',
    path: '/credentials/passphrase',
    summary: 'Set, change or remove (null) the passphrase; the store must be unlocked; every record is re-encrypted',
    tags,
    request: { body: { required: true, content: { 'application/json': { schema: SetPassphraseBody } } } }
  }, async (c) => {
    const { passphrase } = await parseJsonBody(c, SetPassphraseBody)
    await credentials.setPassphrase(passphrase)
    return ok(c, { ...await credentials.status() })
  })
}
