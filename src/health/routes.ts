import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { problem, problemResponses, sendProblem } from '../http/problem.js'

const Health = z.object({ status: z.literal('ok'), database: z.string().optional() }).meta({ id: 'Health' })
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
      return { status: 'ok' as const, database: app.database.kind }
    } catch {
      return sendProblem(request, reply, problem(503, 'database_unavailable', 'The database does not answer.'))
    }
  })
}
