import fp from 'fastify-plugin'
import { openDatabase, type Database, type DatabaseHandle, type DatabaseOptions } from './client.js'

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
  app.decorate('database', handle)
  app.decorate('db', handle.db)
  app.addHook('onClose', async () => { await handle.close() })
}, { name: 'database' })
