import { once } from 'node:events'
import { PassThrough } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { PageQuery } from '../http/pagination.js'
import { problemResponses } from '../http/problem.js'
import { decodeChangeCursor, encodeChangeCursor, headOfChanges, publicChange, readChanges, type ChangeQuery, type ChangeRead } from './queries.js'

const TYPE = /^[a-z][a-z_]*\.[a-z][a-z_]*$/
const TYPES = /^[a-z][a-z_]*\.[a-z][a-z_]*(,[a-z][a-z_]*\.[a-z][a-z_]*)*$/

const Change = z.object({
  cursor: z.string().describe('Resume after this change: ?after=<cursor>, or Last-Event-ID on an event stream'),
  position: z.number().int().min(1).describe('The change\'s place in the feed; increasing, not contiguous'),
  type: z.string().describe('<entityType>.<what happened>: unit.created, unit.moved, appointment.created, appointment.ended, membership.lapsed, person.imported, import.completed...'),
  entityType: z.string(),
  entityId: z.string(),
  unitId: z.uuid().nullable().describe('The unit the change concerns; null for the catalogues (wings, roles, platforms...)'),
  unitCodePath: z.string().nullable().describe('That unit\'s code path when the change happened'),
  at: z.iso.datetime().describe('When the change\'s transaction began'),
  payload: z.object({
    ids: z.record(z.string(), z.unknown()).describe('The ids the entity names: id, personId, unitId, boothIds...'),
    changed: z.array(z.string()).describe('The fields that changed (on creation, those set), phone and voter ID included by name'),
    values: z.record(z.string(), z.unknown()).describe('Their new values; never a phone number or voter ID, nor nested records')
  })
}).meta({ id: 'Change' })

const ChangePage = z.object({
  items: z.array(Change),
  nextCursor: z.string().describe('Always set: pass as ?after= to read on (the last item\'s cursor, or the feed\'s head when this page was not full)')
}).meta({ id: 'ChangePage' })

const ChangeEvents = z.string()
  .describe('Server-Sent Events: one event per change (id: its cursor, event: its type, data: the change as JSON), a comment line as heartbeat; resume with Last-Event-ID')

const FeedQuery = z.object({
  after: z.string().min(1).max(100).optional()
    .describe('A cursor: changes after it. `latest`: only changes from now on. Absent: from the oldest change kept'),
  types: z.string().max(2000).regex(TYPES, 'a comma-separated list of change types such as unit.moved').optional()
    .describe('Only these types, comma-separated: unit.moved,appointment.created'),
  unitId: z.uuid().optional().describe('Only changes whose unit was, at the time, this unit or one below it'),
  limit: PageQuery.limit,
  wait: z.coerce.number().int().min(0).max(30).default(0)
    .describe('Long-poll: when there is nothing to return, wait up to this many seconds (0 to 30) for a change, and answer as soon as one arrives')
})

/** A slice of waiting between two reads even with no signal: covers a NOTIFY lost while the listener reconnected. */
const RECHECK_MS = 5_000

/**
 * GET /v1/changes: what changed, in the order it became visible, from a cursor; as JSON
 * pages (optionally long-polled) or as a stream of Server-Sent Events.
 */
export const changeRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/changes', {
    config: { permission: 'read' },
    schema: {
      operationId: 'listChanges',
      tags: ['changes'],
      summary: 'The change feed: every change in the key\'s subtree, in the order it became visible',
      description: 'Resume from the last cursor you processed and you miss nothing and see nothing twice. ' +
        '`wait` long-polls; `Accept: text/event-stream` streams events instead (resume with `Last-Event-ID`). ' +
        'Changes are kept CHANGES_RETENTION_DAYS (90 by default); an older cursor is a 410 `cursor_expired`.',
      querystring: FeedQuery,
      response: {
        200: { description: 'A page of changes; or, with Accept: text/event-stream, a stream of them', content: { 'application/json': { schema: ChangePage }, 'text/event-stream': { schema: ChangeEvents } } },
        ...problemResponses(400, 404, 410)
      }
    }
  }, async (request, reply) => {
    const q = request.query
    // An event stream resumed by the browser (EventSource) names its last event in Last-Event-ID.
    const resumed = request.headers['last-event-id']
    const given = (typeof resumed === 'string' && resumed !== '' ? resumed : undefined) ?? q.after
    const after = given === undefined ? undefined : given === 'latest' ? await headOfChanges(app.db) : decodeChangeCursor(given)
    const filter = { types: q.types?.split(',').filter(t => TYPE.test(t)), unitId: q.unitId, limit: q.limit }
    if (/\btext\/event-stream\b/.test(request.headers.accept ?? '')) return streamChanges(app, request, reply, after, filter)

    const { signal, closing } = app.changeFeed
    let read = await readChanges(app.db, request.actor, { ...filter, after })
    if (read.rows.length === 0 && q.wait > 0 && !closing.aborted) {
      const stop = stopSignal(reply, closing)
      const idle = holdSocketOpen(request, q.wait * 1000)
      try {
        const deadline = Date.now() + q.wait * 1000
        while (read.rows.length === 0 && !stop.aborted && Date.now() < deadline) {
          await signal.wait(read.head, Math.min(deadline - Date.now(), RECHECK_MS), stop)
          if (stop.aborted) break
          read = await readChanges(app.db, request.actor, { ...filter, after })
        }
      } finally {
        idle.restore()
      }
    }
    return {
      items: read.rows.map(toChange),
      nextCursor: encodeChangeCursor(resumeFrom(read, after, q.limit))
    }
  })
}

const toChange = publicChange

/**
 * Where the next read starts: after the last row when the page was full (there may be
 * more); else after the head the rows were read at, which skips what the caller may not
 * see or did not ask for, so a scoped consumer does not scan it again.
 */
function resumeFrom (read: ChangeRead, after: number | undefined, limit: number): number {
  if (read.rows.length >= limit) return read.rows[read.rows.length - 1].position
  return Math.max(after ?? read.floor, read.head, read.rows.at(-1)?.position ?? 0)
}

/** Aborts when the server closes or the client goes away. */
function stopSignal (reply: FastifyReply, closing: AbortSignal): AbortSignal {
  const stop = new AbortController()
  const abort = () => stop.abort()
  closing.addEventListener('abort', abort, { once: true })
  reply.raw.once('close', () => {
    abort()
    closing.removeEventListener('abort', abort)
  })
  return stop.signal
}

/**
 * A long-poll is silent for up to `ms`: the socket's idle timeout (SOCKET_IDLE_TIMEOUT_MS)
 * must not cut it first. Restored once answered, for the keep-alive connection's next request.
 */
function holdSocketOpen (request: FastifyRequest, ms: number) {
  const socket = request.raw.socket as { timeout?: number, setTimeout?: (ms: number) => unknown } | undefined
  const before = socket?.timeout
  if (typeof socket?.setTimeout !== 'function' || before === undefined || before === 0 || before > ms + 5_000) return { restore () {} }
  socket.setTimeout(ms + 5_000)
  return { restore () { socket.setTimeout!(before) } }
}

/**
 * Server-Sent Events: each change as an event (id = its cursor), read on as the
 * sequencer announces new positions, with a comment line every heartbeat so proxies and
 * the client know the stream is alive. Written with backpressure: a slow client holds
 * the reading back instead of filling memory. Ends when the client goes away or the
 * server closes; the client resumes with Last-Event-ID.
 */
async function streamChanges (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, after: number | undefined, filter: Omit<ChangeQuery, 'after'>) {
  const { signal, closing, heartbeatMs } = app.changeFeed
  // The first read answers a bad or expired cursor as a problem, before the stream begins.
  let read = await readChanges(app.db, request.actor, { ...filter, after })
  const stream = new PassThrough()
  const stop = stopSignal(reply, closing)
  stop.addEventListener('abort', () => { stream.end() }, { once: true })

  // Once the client is gone, writing is pointless and, after end(), an error.
  stream.on('error', () => {})
  const write = async (text: string) => {
    if (stop.aborted || stream.writableEnded || stream.destroyed) return
    if (!stream.write(text)) await once(stream, 'drain', { signal: stop }).catch(() => {})
  }
  const pump = async () => {
    let lastWrite = Date.now()
    try {
      await write(`retry: 2000\n: changes${after === undefined ? '' : ` after ${encodeChangeCursor(after)}`}\n\n`)
      while (!stop.aborted) {
        for (const row of read.rows) {
          const change = toChange(row)
          await write(`id: ${change.cursor}\nevent: ${change.type}\ndata: ${JSON.stringify(change)}\n\n`)
          lastWrite = Date.now()
        }
        after = resumeFrom(read, after, filter.limit)
        if (read.rows.length < filter.limit) {
          const quietFor = Date.now() - lastWrite
          if (quietFor >= heartbeatMs) {
            await write(': heartbeat\n\n')
            lastWrite = Date.now()
          }
          await signal.wait(read.head, Math.min(Math.max(1, heartbeatMs - (Date.now() - lastWrite)), RECHECK_MS), stop)
        }
        if (stop.aborted) break
        read = await readChanges(app.db, request.actor, { ...filter, after })
      }
    } catch (err) {
      // The database went away mid-stream: end it; the client resumes with Last-Event-ID.
      request.log.warn({ err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'change stream ended on an error')
    } finally {
      stream.end()
    }
  }
  pump().catch(() => {})

  return reply
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache, no-transform')
    .header('x-accel-buffering', 'no')
    .send(stream)
}
