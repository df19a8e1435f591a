import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { problem, problemResponses, sendProblem } from '../http/problem.js'

const ReplicaHealth = z.object({
  host: z.string(),
  port: z.number().int(),
  state: z.enum(['starting', 'ok', 'lagging', 'down', 'not_standby'])
    .describe('ok: reads go to it; lagging: further behind than REPLICA_MAX_LAG_MS; down: it does not answer; not_standby: not in recovery, never read from; starting: not checked yet'),
  lagBytes: z.number().int().nullable().describe('WAL the replica has still to replay, at the last check; null when it did not answer'),
  lagMs: z.number().int().nullable().describe('How long the replica has been missing the oldest change it has not replayed; 0 when caught up, however idle the primary'),
  checkedAt: z.iso.datetime().nullable()
}).meta({ id: 'ReplicaHealth' })

const Health = z.object({
  status: z.literal('ok'),
  database: z.string().optional(),
  replicas: z.array(ReplicaHealth).optional().describe('Each read replica (DATABASE_REPLICA_URLS), by host and port; the service is ready while the primary answers, whatever they do')
}).meta({ id: 'Health' })
const READY_TIMEOUT_MS = 2_000

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/health/live', {
    schema: { operationId: 'healthLive', tags: ['health'], summary: 'The process is up', response: { 200: Health } }
  }, async () => ({ status: 'ok' as const }))

  app.get('/health/ready', {
    schema: { operationId: 'healthReady', tags: ['health'], summary: 'The database answers', response: { 200: Health, ...problemResponses(503) } }
  }, async (request, reply) => {
    try {
      await Promise.race([
        app.database.ping(),
        new Promise((_resolve, reject) => setTimeout(() => reject(new Error('ping timeout')), READY_TIMEOUT_MS).unref())
      ])
      const replicas = app.database.replicas()
      return { status: 'ok' as const, database: app.database.kind, ...(replicas.length > 0 ? { replicas } : {}) }
    } catch {
      return sendProblem(request, reply, problem(503, 'database_unavailable', 'The database does not answer.'))
    }
  })
}
