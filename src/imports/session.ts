import { Writable } from 'node:stream'
import { sql } from 'drizzle-orm'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import type { Database } from '../db/client.js'
import { copyLine, type CopyValue } from '../db/copy-text.js'
import * as schema from '../db/schema.js'

/**
 * The connection an import runs on. On PostgreSQL it is a dedicated pool client, so
 * that rows can be streamed into the staging table with COPY and so that a session
 * advisory lock can say "this import is alive" for as long as the process is. On
 * PGlite (one connection, no COPY from a stream) it is the shared handle, and rows are
 * staged in batches of JSON.
 */

export type StagedValue = CopyValue

export interface ImportSession {
  /** Queries inside the import's one transaction. */
  tx: Database
  /** The last pipeline stage: writes staged rows (values in `columns` order) into `table`. */
  sink (table: string, columns: readonly string[]): Writable
}

export interface ImportConnection {
  /** Statements outside the transaction (the import record), on this same connection. */
  db: Database
  /** Marks the import alive until release(); a crashed process drops it with its connection. */
  holdLiveness (importId: string): Promise<void>
  /** One transaction; `fn` decides whether it commits. */
  transaction<T> (fn: (session: ImportSession) => Promise<{ commit: boolean, value: T }>): Promise<T>
  /** Returns the connection (idempotent); `failed` discards it instead. */
  release (failed?: boolean): Promise<void>
}

/** Advisory lock key for an import's liveness; also used by the stale-import sweep. */
export const livenessKey = (importIdSql: ReturnType<typeof sql>) =>
  sql`hashtextextended('sangathan.import:' || (${importIdSql})::text, 0)`

export async function openImportConnection (db: Database): Promise<ImportConnection> {
  const client = (db as unknown as { $client: unknown }).$client
  return client instanceof pg.Pool ? openPostgres(client) : openShared(db)
}

async function openPostgres (pool: pg.Pool): Promise<ImportConnection> {
  const client = await pool.connect()
  const db = drizzlePg(client, { schema }) as unknown as Database
  let liveness: string | undefined
  let broken = false
  let released = false
  // A checked-out client has no pool listener: a connection lost while the upload is
  // still arriving must fail this import, not the process. The next statement or COPY
  // write reports it.
  client.on('error', () => { broken = true })
  return {
    db,
    async holdLiveness (importId) {
      await db.execute(sql`SELECT pg_advisory_lock(${livenessKey(sql`${importId}`)})`)
      liveness = importId
    },
    async transaction (fn) {
      await client.query('BEGIN')
      try {
        const { commit, value } = await fn({ tx: db, sink: (table, columns) => copySink(client, table, columns) })
        await client.query(commit ? 'COMMIT' : 'ROLLBACK')
        return value
      } catch (err) {
        // A COPY cut off half way leaves the connection in an unknown protocol state:
        // never reuse it. Closing it also makes the server roll the transaction back.
        broken = true
        throw err
      }
    },
    async release (failed = false) {
      if (released) return
      released = true
      if (!broken && !failed && liveness) {
        await db.execute(sql`SELECT pg_advisory_unlock(${livenessKey(sql`${liveness}`)})`).catch(() => { broken = true })
      }
      client.release(broken || failed ? new Error('import connection discarded') : undefined)
    }
  }
}

// Rows are grouped into chunks of about this many characters: one COPY data message
// per row would cost more in protocol overhead than the rows themselves.
const COPY_CHUNK = 64 * 1024

function copySink (client: pg.PoolClient, table: string, columns: readonly string[]): Writable {
  const copy = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`))
  let buffered = ''
  const flush = (callback: () => void) => {
    const text = buffered
    buffered = ''
    if (text === '' || copy.write(text)) callback()
    else copy.once('drain', () => callback())
  }
  const sink = new Writable({
    objectMode: true,
    write (row: StagedValue[], _encoding, callback) {
      buffered += copyLine(row)
      if (buffered.length >= COPY_CHUNK) flush(callback)
      else callback()
    },
    final (callback) {
      flush(() => {
        copy.once('finish', () => callback())
        copy.end()
      })
    },
    destroy (err, callback) {
      if (!copy.destroyed) copy.destroy(err ?? undefined)
      callback(err)
    }
  })
  // The server refusing the COPY fails the pipeline (and with it the import).
  copy.on('error', (err) => sink.destroy(err))
  return sink
}

const JSON_BATCH = 2000

async function openShared (db: Database): Promise<ImportConnection> {
  return {
    db,
    async holdLiveness () {
      // One process owns a PGlite folder (the folder lock): a running import found at
      // start-up is always a dead one, so no lock is needed to tell.
    },
    async transaction<T> (fn: (session: ImportSession) => Promise<{ commit: boolean, value: T }>) {
      let outcome: { commit: boolean, value: T } | undefined
      try {
        await db.transaction(async (tx) => {
          outcome = await fn({ tx: tx as unknown as Database, sink: (table, columns) => jsonSink(tx as unknown as Database, table, columns) })
          if (!outcome.commit) tx.rollback()
        })
      } catch (err) {
        if (!(outcome && !outcome.commit)) throw err
      }
      return outcome!.value
    },
    async release () {}
  }
}

function jsonSink (tx: Database, table: string, columns: readonly string[]): Writable {
  let batch: Array<Record<string, StagedValue>> = []
  const list = sql.raw(columns.join(', '))
  const insert = async () => {
    const json = JSON.stringify(batch)
    batch = []
    await tx.execute(sql`INSERT INTO ${sql.raw(table)} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${sql.raw(table)}, ${json}::json)`)
  }
  return new Writable({
    objectMode: true,
    write (row: StagedValue[], _encoding, callback) {
      const record: Record<string, StagedValue> = {}
      for (let i = 0; i < columns.length; i++) record[columns[i]] = row[i]
      batch.push(record)
      if (batch.length < JSON_BATCH) return callback()
      insert().then(() => callback(), callback)
    },
    final (callback) {
      if (batch.length === 0) return callback()
      insert().then(() => callback(), callback)
    }
  })
}
