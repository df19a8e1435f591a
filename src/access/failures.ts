import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

export interface FailureLimitOptions {
  /** Failed authentications one address may make per window before it gets 429s. */
  max: number
  windowMs: number
  /** Addresses tracked at once (least recently failed dropped first, starting afresh). */
  addresses: number
}

export interface FailureStanding {
  limit: number
  /** Failures the address may still make in this window; 0 means it is limited. */
  remaining: number
  /** Seconds until the window ends and the count starts again. */
  resetSeconds: number
  /** More failures than the limit: only reached by concurrent requests that each saw room for one more. */
  exceeded: boolean
}

export interface FailedAuthentications {
  /** Where the request's address stands, without counting anything. */
  standing (request: FastifyRequest): Promise<FailureStanding>
  /** Counts one failed authentication against the request's address. */
  count (request: FastifyRequest): Promise<FailureStanding>
}

/**
 * Failed authentications counted per client address (request.ip, so TRUST_PROXY decides;
 * an IPv6 address counts by its /64) in a fixed window. @fastify/rate-limit keeps the
 * counts, in an instance of its own: it hooks no route, and the per-key request limit on
 * /v1 keeps its own settings and store.
 */
export async function failedAuthentications (app: FastifyInstance, options: FailureLimitOptions): Promise<FailedAuthentications> {
  let limiter: ReturnType<FastifyInstance['createRateLimit']> | undefined
  await app.register(async (scope) => {
    await scope.register(rateLimit, { global: false, max: options.max, timeWindow: options.windowMs, cache: options.addresses })
    limiter = scope.createRateLimit()
  })
  const check = limiter!
  const standingOf = (result: Awaited<ReturnType<typeof check>>): FailureStanding => result.isAllowed
    ? { limit: options.max, remaining: options.max, resetSeconds: 0, exceeded: false }
    : { limit: result.max, remaining: result.remaining, resetSeconds: result.ttlInSeconds, exceeded: result.isExceeded }
  return {
    standing: async (request) => standingOf(await check(request, { increment: false })),
    count: async (request) => standingOf(await check(request))
  }
}

/** The failure budget on a refused request, in the same headers the per-key limit uses. */
export function failureHeaders (reply: FastifyReply, s: FailureStanding, retry: boolean) {
  reply.header('x-ratelimit-limit', s.limit)
  reply.header('x-ratelimit-remaining', s.remaining)
  reply.header('x-ratelimit-reset', s.resetSeconds)
  if (retry) reply.header('retry-after', Math.max(1, s.resetSeconds))
}
