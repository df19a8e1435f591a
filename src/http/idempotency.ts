import { createHash } from 'node:crypto'
import { and, eq, lt, sql } from 'drizzle-orm'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { idempotencyRequests } from '../db/schema.js'
import { problem, sendProblem } from './problem.js'

/**
 * Idempotency-Key for POST (IETF draft-ietf-httpapi-idempotency-key-header): a script
 * that retries a POST with the same key gets the first response replayed instead of a
 * second effect. Keys live 24 hours and belong to the caller that used them.
 */

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/
const TTL_HOURS = 24
// A claim with no stored response after this long is taken to be a crashed attempt.
const ABANDONED_AFTER_MS = 60_000

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { principal: string, key: string }
  }
  interface FastifyContextConfig {
    /** set false on POST routes that must not be cached (streaming uploads) */
    idempotent?: boolean
  }
}

// Keys are per API key: two scripts may pick the same Idempotency-Key without colliding.
function principalOf (request: FastifyRequest): string {
  return request.actor?.keyId ?? 'anonymous'
}

function fingerprintOf (request: FastifyRequest): string {
  return createHash('sha256')
    .update(request.method).update('\0')
    .update(request.url).update('\0')
    .update(JSON.stringify(request.body ?? null))
    .digest('hex')
}

export default fp(async (app: FastifyInstance) => {
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || request.routeOptions.config?.idempotent === false) return
    const raw = request.headers['idempotency-key']
    if (raw === undefined) return
    const key = Array.isArray(raw) ? raw[0] : raw
    if (!KEY_PATTERN.test(key)) {
      return sendProblem(request, reply, problem(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 visible ASCII characters.'))
    }
    const principal = principalOf(request)
    const fingerprint = fingerprintOf(request)
    const db = app.db

    const claimed = await db.insert(idempotencyRequests)
      .values({ principal, key, fingerprint })
      .onConflictDoNothing()
      .returning({ key: idempotencyRequests.key })
    if (claimed.length === 1) {
      request.idempotency = { principal, key }
      return
    }

    const [prior] = await db.select().from(idempotencyRequests)
      .where(and(eq(idempotencyRequests.principal, principal), eq(idempotencyRequests.key, key)))
    if (!prior) return // expired between the two statements: proceed without replay
    if (prior.fingerprint !== fingerprint) {
      return sendProblem(request, reply, problem(422, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request. Use a new key for a new request.'))
    }
    if (prior.statusCode === null) {
      const age = Date.now() - prior.createdAt.getTime()
      if (age < ABANDONED_AFTER_MS) {
        return sendProblem(request, reply, problem(409, 'idempotency_request_in_progress', 'A request with this Idempotency-Key is still being processed. Retry shortly.'))
      }
      // The first attempt died without answering: this retry takes the claim over.
      await db.update(idempotencyRequests).set({ createdAt: new Date() })
        .where(and(eq(idempotencyRequests.principal, principal), eq(idempotencyRequests.key, key)))
      request.idempotency = { principal, key }
      return
    }
    const headers = JSON.parse(prior.headers ?? '{}') as Record<string, string>
    for (const [name, value] of Object.entries(headers)) reply.header(name, value)
    reply.header('idempotent-replayed', 'true')
    return reply.code(prior.statusCode).serializer((p: unknown) => p as string).send(prior.body ?? '')
  })

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claim = request.idempotency
    if (!claim) return payload
    const where = and(eq(idempotencyRequests.principal, claim.principal), eq(idempotencyRequests.key, claim.key))
    try {
      if (reply.statusCode >= 500 || typeof payload !== 'string') {
        // Server-side failures are not remembered: the retry should really retry.
        await app.db.delete(idempotencyRequests).where(where)
      } else {
        const keep: Record<string, string> = {}
        for (const name of ['content-type', 'location', 'etag']) {
          const v = reply.getHeader(name)
          if (v !== undefined) keep[name] = String(v)
        }
        await app.db.update(idempotencyRequests)
          .set({ statusCode: reply.statusCode, headers: JSON.stringify(keep), body: payload })
          .where(where)
      }
    } catch (err) {
      request.log.warn({ err: { message: (err as Error).message } }, 'could not record idempotent response')
    }
    return payload
  })

  // Expired keys are swept now and then rather than on every request.
  const sweep = setInterval(() => {
    app.db.delete(idempotencyRequests)
      .where(lt(idempotencyRequests.createdAt, sql`now() - make_interval(hours => ${TTL_HOURS})`))
      .catch(() => { /* database down: next sweep */ })
  }, 10 * 60_000)
  sweep.unref()
  app.addHook('onClose', async () => clearInterval(sweep))
}, { name: 'idempotency', dependencies: ['database'] })
