import type { SQL } from 'drizzle-orm'
import type { Database } from '../../src/db/client.js'
import { pgError, type PgErrorFields } from '../../src/db/errors.js'

/** Runs raw SQL that should be refused; returns PostgreSQL's refusal, or undefined if it ran. */
export async function refusal (db: Database, statement: SQL): Promise<PgErrorFields | undefined> {
  try {
    await db.execute(statement)
  } catch (err) {
    return pgError(err)
  }
  return undefined
}
