import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { sql } from 'drizzle-orm'
import { LRUCache } from 'lru-cache'
import { openDatabase, rows, type Database, type DatabaseHandle, type DatabaseOptions } from './client.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** drizzle handle; routes and domain code never learn which engine is underneath */
    db: Database
    database: DatabaseHandle
  }
  interface FastifyRequest {
    /**
     * The handle for this request's report and list reads: a read replica when one is in
     * use and has what this key last wrote, else the primary (`app.db`). Writes, key
     * checks, idempotency, imports and the change feed always use `app.db`.
     */
    readDb: Database
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Opens PostgreSQL (DATABASE_URL) or embedded PGlite, migrates, and closes on shutdown. */
export default fp<DatabaseOptions>(async (app, options) => {
  const handle = await openDatabase({
    ...options,
    onPoolError: (err) => app.log.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'idle database connection failed'),
    replicas: options.replicas && {
      ...options.replicas,
      onStateChange: (replica, reason) => {
        if (replica.state === 'ok') app.log.info({ replica }, 'read replica in use')
        else app.log.warn({ replica, reason }, 'read replica out of use: its reads go to the primary')
      }
    }
  })
  app.log.info({ database: handle.kind, replicas: handle.replicas().length }, 'database ready')
  // Handles the migration to person_handles could not keep (invalid, or another person's):
  // said at every start until an admin has dismissed them.
  const [{ open }] = await rows<{ open: number }>(handle.db, sql`SELECT count(*)::int AS open FROM handle_issues WHERE dismissed_at IS NULL`)
  if (open > 0) app.log.warn({ handleIssues: open }, 'social media handles that could not be kept as given: review them at GET /v1/handle-issues')
  app.decorate('database', handle)
  app.decorate('db', handle.db)
  app.addHook('onClose', async () => { await handle.close() })

  if (handle.replicas().length === 0) {
    app.decorateRequest('readDb', { getter () { return handle.db } })
    return
  }

  // Read-your-writes: after a key's write, the primary's WAL position then (which its commit
  // is within); that key's reads go to a replica only once the replica has replayed that
  // far, and to the primary until then. Taken before the response is sent, so that no
  // read the caller makes after seeing it can overtake it. Per process: several instances
  // behind a balancer keep it only for a key that stays with one (or send Consistency: strong).
  const lastWrite = new LRUCache<string, bigint>({ max: 10_000, ttl: 10 * 60_000 })
  app.addHook('onSend', async (request, _reply, payload) => {
    if (SAFE_METHODS.has(request.method)) return payload
    const keyId = (request as { actor?: { keyId: string | null } }).actor?.keyId
    if (!keyId) return payload
    try {
      const position = await handle.writePosition()
      if (position !== undefined) lastWrite.set(keyId, position)
    } catch {
      // The primary failed under the write: nothing was written to wait for, or it will
      // answer the key's next reads anyway (no replica has what it has not).
      lastWrite.set(keyId, BigInt(Number.MAX_SAFE_INTEGER) << 16n)
    }
    return payload
  })

  // Chosen once per request, so that all of its reads see the same server.
  const chosen = new WeakMap<FastifyRequest, Database>()
  app.decorateRequest('readDb', {
    getter (this: FastifyRequest) {
      let db = chosen.get(this)
      if (db) return db
      if (String(this.headers.consistency ?? '').toLowerCase() === 'strong') db = handle.db
      else {
        const keyId = (this as { actor?: { keyId: string | null } }).actor?.keyId
        db = handle.reader(keyId ? lastWrite.get(keyId) : undefined)
      }
      chosen.set(this, db)
      return db
    }
  })
}, { name: 'database' })
