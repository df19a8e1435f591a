import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { DomainError } from '../errors.js'
import { can, type Actor, type Permission } from './actor.js'
import { ensureBootstrapKey } from './keys.js'
import { WELL_FORMED_SECRET_TEXT } from './secret.js'
import { databaseKeyStore, KeyVerifier, VERIFIER_DEFAULTS } from './verifier.js'

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

  app.decorate('authenticate', async (request: FastifyRequest) => {
    const header = request.headers.authorization
    // Whatever follows "Bearer" is the secret; whether it is well-formed is the verifier's call.
    const secret = typeof header === 'string' ? /^Bearer\s+(.*?)\s*$/i.exec(header)?.[1] || undefined : undefined
    if (!secret) {
      throw new DomainError('unauthenticated', 'missing_credentials', 'Send an API key: Authorization: Bearer <key>.')
    }
    const verdict = await verifier.verify(secret)
    if (!verdict.ok) throw new DomainError('unauthenticated', verdict.reason, MESSAGES[verdict.reason])
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
