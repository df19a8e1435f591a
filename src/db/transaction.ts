import type { Database } from './client.js'
import { isRetryableConflict } from './errors.js'

/**
 * One transaction, retried a few times when PostgreSQL aborts it as a deadlock or
 * serialization victim: the caller sees either the whole change or a clean refusal.
 */
export async function inTransaction<T> (db: Database, fn: (tx: Database) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (tx) => fn(tx as unknown as Database))
    } catch (err) {
      if (attempt >= attempts || !isRetryableConflict(err)) throw err
      await new Promise(resolve => setTimeout(resolve, 5 * attempt + Math.random() * 20))
    }
  }
}
