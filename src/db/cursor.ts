import { type SQL } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import pg from 'pg'
import { rows, type Database } from './client.js'
import { batchesOf } from './keyset.js'

const dialect = new PgDialect()

/**
 * A list a download reads: the query of its rows after a key (from the start: undefined),
 * up to a limit (all of them: undefined), in the order the key follows; and a row's key.
 * The API's pages ask it for `limit + 1` rows after a cursor; a download for all of them.
 */
export interface KeysetList<R, K> {
  query: (after: K | undefined, limit: number | undefined) => SQL
  keyOf: (row: R) => K
}

/**
 * A download stops (and gives its connection back) when its reader has not asked for the
 * next batch for this long: a client that stops reading holds no connection for longer.
 */
const IDLE_DOWNLOAD_MS = 60_000

/**
 * Every row of a list, a batch at a time, for a streamed download: flat in memory, however
 * long the list.
 *
 * PostgreSQL: the list's one query, read through a cursor (DECLARE, then FETCH a batch at a
 * time as the client reads) in a read-only REPEATABLE READ transaction: the rows are read
 * once, in one sort, from one snapshot, so a download is consistent (a row changed while it
 * streams is neither missed nor written twice) and costs what the query costs. Keyset
 * batches instead ran the query again per batch, each from the last key, and any order no
 * index gives (people by name under a unit, office-bearers by unit then role) re-read and
 * re-sorted the rest of the list every time: quadratic, 2,353 people a second for a state.
 * The connection is held while the download runs; a reader idle for IDLE_DOWNLOAD_MS ends
 * it. A replica's pool hands out the primary's connection when the replica is down.
 *
 * PGlite: its one connection cannot be held (every other request would wait for the
 * download's reader), so keyset batches as the API's pages, the next read ahead.
 */
export async function * listInBatches<R, K> (db: Database, list: KeysetList<R, K>, batch: number): AsyncGenerator<R[]> {
  const pool = (db as unknown as { $client: unknown }).$client
  if (!(pool instanceof pg.Pool)) {
    yield * batchesOf((after, limit) => rows<R>(db, list.query(after, limit + 1)), list.keyOf, batch, { ahead: true })
    return
  }
  const { sql: text, params } = dialect.sqlToQuery(list.query(undefined, undefined))
  const client = await pool.connect()
  let open = false
  let broken: Error | undefined
  try {
    // A cursor is planned for its first tenth (cursor_tuple_fraction), a plan that starts
    // fast and reads a camp's 3,822 invitations in 1.9 s instead of 0.1 s: a download
    // reads all of it.
    await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL cursor_tuple_fraction = 1; SET LOCAL idle_in_transaction_session_timeout = ${IDLE_DOWNLOAD_MS}`)
    open = true
    await client.query(`DECLARE download NO SCROLL CURSOR FOR ${text}`, params)
    for (;;) {
      const found = await client.query<R & pg.QueryResultRow>(`FETCH ${batch} FROM download`)
      if (found.rows.length > 0) yield found.rows
      if (found.rows.length < batch) break
    }
    await client.query('COMMIT')
    open = false
  } catch (err) {
    broken = err as Error
    throw err
  } finally {
    // A reader that stopped early (or a failed FETCH) leaves the transaction open: rolled
    // back before the connection goes back; a connection that failed is thrown away.
    if (open && !broken) await client.query('ROLLBACK').catch((err: Error) => { broken = err })
    client.release(broken ?? (open ? true : undefined))
  }
}
