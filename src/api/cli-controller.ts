import { z } from '@hono/zod-openapi'
import { commandTree, helpText, runCli } from './cli/run-cli.ts'
import { unixSeconds } from './envelope.ts'
import { addRoute } from './route.ts'
import { parseJsonBody, parseQuery } from './validate.ts'
import type { CliReply } from './cli/run-cli.ts'
import type { ApiDeps, ApiEnv } from './env.ts'
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

const tags = ['cli']
const content = z.string().max(16 * 1024 * 1024).optional().openapi({ description: 'Text for add, block put, dag put, files write (instead of `-- text`)' })
const CommandBody = z.object({ command: z.string().min(1).max(65_536).openapi({ example: 'files ls /' }), content })
const ExecuteBody = z.object({
  command: z.string().min(1).max(256).openapi({ example: 'pin ls' }),
  args: z.array(z.string().max(65_536)).max(64).optional(),
  kwargs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  content
})
const HelpQuery = z.object({ command: z.string().optional() })

/** The ipfs command line in the browser: one command per request, run through the same routes as HTTP. */
export function registerCliRoutes (app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const fetcher = async (request: Request): Promise<Response> => app.fetch(request)

  const reply = (c: Context<ApiEnv>, r: CliReply): Response => {
    const { status, success, ...body } = r
    return c.json({ success, operation: c.var.operation, timestamp: unixSeconds(), ...body }, status as ContentfulStatusCode)
  }

  addRoute(app, {
    operation: 'cli_command',
    method: 'post',
    path: '/cli/command',
    summary: 'Run one command line ({command: "files ls /photos"}) → {success, command, output, result, exit_code}',
    description: 'Parsed like a shell (quotes, escapes). An unknown command or bad flag is exit_code 1 with a usage message and HTTP 400; a command that fails answers with its route\'s status.',
    tags,
    // the command's own route takes the repo lock; holding it here too would deadlock garbage collection
    holdsRepoLock: false,
    request: { body: { required: true, content: { 'application/json': { schema: CommandBody } } } }
  }, async (c) => {
    const body = await parseJsonBody(c, CommandBody)
    return reply(c, await runCli(fetcher, { command: body.command, content: body.content }, c.var.signal))
  })

  addRoute(app, {
    operation: 'cli_execute',
    method: 'post',
    path: '/cli/execute',
    summary: 'Run one command given as {command, args, kwargs} (the original server\'s form)',
    tags,
    holdsRepoLock: false,
    request: { body: { required: true, content: { 'application/json': { schema: ExecuteBody } } } }
  }, async (c) => {
    const body = await parseJsonBody(c, ExecuteBody)
    return reply(c, await runCli(fetcher, { command: body.command, args: body.args ?? [], kwargs: body.kwargs ?? {}, content: body.content }, c.var.signal))
  })

  addRoute(app, {
    operation: 'cli_help',
    method: 'get',
    path: '/cli/help',
    summary: 'Usage text for every command, or for one (?command=files ls)',
    tags,
    request: { query: HelpQuery }
  }, (c) => {
    const { command } = parseQuery(c, HelpQuery)
    const text = helpText(command)
    return c.json({ success: true, operation: c.var.operation, timestamp: unixSeconds(), command: command ?? null, help: text })
  })

  addRoute(app, { operation: 'cli_commands', method: 'get', path: '/cli/commands', summary: 'The command tree with arguments and flags', tags }, (c) => {
    const commands = commandTree()
    return c.json({ success: true, operation: c.var.operation, timestamp: unixSeconds(), commands, count: commands.length })
  })

  addRoute(app, { operation: 'cli_status', method: 'get', path: '/cli/status', summary: 'What the CLI can run now (network commands need a connected peer)', tags }, (c) => {
    const online = deps.node.online
    const commands = commandTree()
    return c.json({
      success: true,
      operation: c.var.operation,
      timestamp: unixSeconds(),
      online,
      available: commands.filter(cmd => online || !cmd.network).map(cmd => cmd.name),
      unavailable: commands.filter(cmd => !online && cmd.network).map(cmd => ({ name: cmd.name, reason: 'the node has no connection to other peers' })),
      count: commands.length
    })
  })
}
