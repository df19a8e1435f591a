import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { DomainError } from '../errors.js'
import { can, type Actor, type Permission } from './actor.js'
import { failedAuthentications, failureHeaders, type FailureLimitOptions } from './failures.js'
import { ensureBootstrapKey } from './keys.js'
import { WELL_FORMED_SECRET_TEXT } from './secret.js'
import { databaseKeyStore, KeyVerifier, VERIFIER_DEFAULTS, type Verification } from './verifier.js'

declare module 'fastify' {
  interface FastifyInstance {
    keys: KeyVerifier
    /** onRequest hook for /v1: resolves the bearer key into request.actor and checks the route's permission. */
    authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
  interface FastifyRequest {
    actor: Actor
  }
  interface FastifyContextConfig {
    /** What the route needs; defaults to read for GET/HEAD and write otherwise. */
    permission?: Permission
  }
}

export interface AccessOptions {
  bootstrapSecret?: string
  /** Where a minted first admin key is written (mode 0600). */
  dataDir: string
  keyCacheTtlMs?: number
  /** Failed authentications per client address (AUTH_FAILURES_MAX per AUTH_FAILURES_WINDOW_MS). */
  failures: Omit<FailureLimitOptions, 'addresses'>
}

const MESSAGES = {
  malformed_key: `The API key is not well-formed: a key is ${WELL_FORMED_SECRET_TEXT}.`,
  invalid_key: 'The API key is not recognised.',
  key_revoked: 'The API key has been revoked.',
  key_expired: 'The API key has expired.'
} as const

export default fp<AccessOptions>(async (app, options) => {
  const verifier = new KeyVerifier(databaseKeyStore(app.db), {
    ...VERIFIER_DEFAULTS,
    ttlMs: options.keyCacheTtlMs ?? VERIFIER_DEFAULTS.ttlMs,
    onUseError: (err) => app.log.warn({ err: { message: (err as Error).message } }, 'could not record key use')
  })
  // 10,000 addresses: a few hundred kilobytes; an address pushed out only starts afresh.
  const failures = await failedAuthentications(app, { ...options.failures, addresses: 10_000 })
  app.decorate('keys', verifier)
  app.decorateRequest('actor', null as unknown as Actor)

  const { minted } = await ensureBootstrapKey(app.db, options.bootstrapSecret)
  if (minted) {
    mkdirSync(options.dataDir, { recursive: true })
    const file = join(options.dataDir, 'admin-key.txt')
    writeFileSync(file, minted + '\n', { mode: 0o600 })
    chmodSync(file, 0o600)
    // The path, never the key: logs are read by more people than admins.
    app.log.warn({ file }, 'no API key existed: created a global admin key and wrote it to this file (readable by its owner only)')
  }

  app.decorate('authenticate', async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization
    // Whatever follows "Bearer" is the secret; whether it is well-formed is the verifier's call.
    const secret = typeof header === 'string' ? /^Bearer\s+(.*?)\s*$/i.exec(header)?.[1] || undefined : undefined
    // A key checked here within the cache's TTL is accepted from memory: verify and
    // verifyKnown would both give this verdict, so the address's failure standing (a
    // rate-limit store lookup on every request) is only read when it could matter.
    let verdict: Verification | undefined = secret ? verifier.verifyFresh(secret) : undefined
    if (!verdict?.ok) {
      const before = await failures.standing(request)
      // Over the limit, an address no longer makes us query the database for guesses; keys
      // this instance already knows keep working, so one broken script does not lock out
      // its whole office behind a shared address.
      const limited = before.remaining === 0
      verdict = undefined
      if (secret) verdict = limited ? await verifier.verifyKnown(secret) : await verifier.verify(secret)
      if (!verdict?.ok) {
        const after = limited ? before : await failures.count(request)
        // exceeded: concurrent failures that all read a budget of one.
        if (limited || after.exceeded) {
          failureHeaders(reply, after, true)
          throw tooManyFailures(options.failures)
        }
        if (after.remaining === 0) request.log.warn({ failures: after.limit }, 'an address reached its limit of failed authentications')
        failureHeaders(reply, after, false)
        if (!verdict) throw new DomainError('unauthenticated', 'missing_credentials', 'Send an API key: Authorization: Bearer <key>.')
        throw new DomainError('unauthenticated', verdict.reason, MESSAGES[verdict.reason])
      }
    }
    const { key } = verdict
    request.actor = {
      keyId: key.id,
      role: key.role,
      scopeUnitId: key.scopeUnitId,
      maskPersonalData: key.maskPersonalData,
      requestId: request.id
    }
    const needed = request.routeOptions.config?.permission ?? (request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write')
    if (!can(request.actor, needed)) {
      throw new DomainError('forbidden', 'insufficient_role', `A ${key.role} key${key.scopeUnitId ? ' scoped to a unit' : ''} may not do this (needs ${needed.replace('_', ' ')}).`)
    }
  })
}, { name: 'access', dependencies: ['database'] })

function tooManyFailures ({ max, windowMs }: AccessOptions['failures']) {
  return new DomainError('too_many', 'too_many_failed_authentications',
    `${max} requests from your address failed authentication within ${windowMs / 1000} s. Until the time in Retry-After has passed, only keys already in use here are accepted from it.`)
}
