import fp from 'fastify-plugin'
import { sql } from 'drizzle-orm'
import { openDatabase, rows, type Database, type DatabaseHandle, type DatabaseOptions } from './client.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** drizzle handle; routes and domain code never learn which engine is underneath */
    db: Database
    database: DatabaseHandle
  }
}

/** Opens PostgreSQL (DATABASE_URL) or embedded PGlite, migrates, and closes on shutdown. */
export default fp<DatabaseOptions>(async (app, options) => {
  const handle = await openDatabase({
    ...options,
    onPoolError: (err) => app.log.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'idle database connection failed')
  })
  app.log.info({ database: handle.kind }, 'database ready')
  // Handles the migration to person_handles could not keep (invalid, or another person's):
  // said at every start until an admin has dismissed them.
  const [{ open }] = await rows<{ open: number }>(handle.db, sql`SELECT count(*)::int AS open FROM handle_issues WHERE dismissed_at IS NULL`)
  if (open > 0) app.log.warn({ handleIssues: open }, 'social media handles that could not be kept as given: review them at GET /v1/handle-issues')
  app.decorate('database', handle)
  app.decorate('db', handle.db)
  app.addHook('onClose', async () => { await handle.close() })
}, { name: 'database' })
