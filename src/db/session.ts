import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { PGlite, Transaction as PgliteTransaction } from '@electric-sql/pglite'
import { sql, type SQL } from 'drizzle-orm'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { directClient, rows, type Database, type DatabaseHandle, type DatabaseKind, type Direct } from './client.js'
import { copyLine, type CopyValue } from './copy-text.js'
import * as schema from './schema.js'

/**
 * One connection held for a long piece of work (a bulk import, a seed) whose transaction,
 * trigger switches and COPYs must share it. The one place outside client.ts that knows
 * which engine is underneath: on PostgreSQL a dedicated pool client, rows streamed with
 * COPY FROM STDIN; on PGlite (one connection) its exclusive transaction, rows COPied from
 * PGlite's /dev/blob device in batches. Either way the rows travel as COPY text.
 */

export interface Session {
  kind: DatabaseKind
  /** Statements outside the transaction, on this session's connection. */
  db: Database
  /** One transaction; `fn` decides whether it commits. */
  transaction<T> (fn: (tx: SessionTransaction) => Promise<{ commit: boolean, value: T }>): Promise<T>
  /**
   * Holds a session-level advisory lock until release(): "this work is alive" for as long
   * as the process is. A no-op on PGlite, whose folder has one owner. Behind a pooler it is
   * held on a connection of its own straight to the server, and losing that connection
   * fails the work: its transaction rolls back rather than commit unguarded.
   */
  holdLock (key: SQL): Promise<void>
  /** Returns the connection (idempotent); `discard` closes it instead of reusing it. */
  release (discard?: boolean): Promise<void>
}

export interface SessionTransaction {
  tx: Database
  /** A sink of rows (values in `columns` order) into `table`, as a pipeline's last stage. */
  copyIn (table: string, columns: readonly string[]): Writable
  /** COPY rows into `table`. */
  copy (table: string, columns: readonly string[], rows: Iterable<readonly CopyValue[]> | AsyncIterable<readonly CopyValue[]>): Promise<void>
  /** COPY lines already in COPY text (copy-text.ts) into `table`. */
  copyText (table: string, columns: readonly string[], text: string): Promise<void>
  /**
   * For a bulk load into empty tables: locks them (with the tables whose foreign keys
   * point at them) against every other session until the transaction ends, and if all
   * are empty, truncates them, so that every later COPY into `tables` writes its rows
   * frozen and their pages all-visible (COPY ... FREEZE). A fresh load then reads by
   * index-only scans and never rewrites its pages for hint bits or an anti-wraparound
   * VACUUM. Returns whether they were empty: checked under the lock, so no writer can add
   * a row between the answer and what the caller does with it. (PGlite: locked and
   * checked only.)
   */
  freeze (tables: readonly string[]): Promise<boolean>
}

export async function openSession (handle: DatabaseHandle): Promise<Session> {
  return handle.driver.kind === 'postgres' ? openPostgres(handle.driver.pool, handle.driver.direct) : openPglite(handle.driver.pglite, handle.db)
}

const copyStatement = (table: string, columns: readonly string[], source: string, freeze = false) =>
  `COPY ${table} (${columns.join(', ')}) FROM ${source}${freeze ? ' WITH (FREEZE)' : ''}`

/**
 * Locks `tables` and every table whose foreign keys lead to one of them (TRUNCATE must
 * take them all in one statement); if all are empty (a table referencing an empty one is
 * empty by its key; checked anyway, as a key may be NOT VALID), truncates them. The lock
 * comes first: a row another session commits while we wait for it is seen by the check.
 */
async function lockAndTruncateIfEmpty (db: Database, tables: readonly string[], truncate: boolean): Promise<boolean> {
  const closure = await rows<{ name: string }>(db, sql`
    WITH RECURSIVE t(oid) AS (
      SELECT c.oid FROM pg_class c WHERE c.oid = ANY (${`{${tables.join(',')}}`}::regclass[])
      UNION
      SELECT k.conrelid FROM pg_constraint k JOIN t ON k.confrelid = t.oid WHERE k.contype = 'f')
    SELECT oid::regclass::text AS name FROM t ORDER BY 1`)
  const names = closure.map(c => c.name).join(', ')
  await db.execute(sql.raw(`LOCK TABLE ${names} IN ACCESS EXCLUSIVE MODE`))
  for (const { name } of closure) {
    const [row] = await rows<{ taken: boolean }>(db, sql.raw(`SELECT EXISTS (SELECT 1 FROM ${name}) AS taken`))
    if (row.taken) return false
  }
  if (truncate) await db.execute(sql.raw(`TRUNCATE ${names}`))
  return true
}

/**
 * The PostgreSQL session's freeze(): `frozen` holds the tables truncated in this
 * transaction, which every COPY into them then fills frozen.
 */
function freezer (db: Database, frozen: Set<string>) {
  return async (tables: readonly string[]) => {
    if (!(await lockAndTruncateIfEmpty(db, tables, true))) return false
    for (const table of tables) frozen.add(table)
    return true
  }
}

// A sink takes rows (arrays of values) or text already in COPY form (whole lines).
async function copyRows (sink: Writable, rows: Iterable<readonly CopyValue[] | string> | AsyncIterable<readonly CopyValue[] | string>) {
  await pipeline(Readable.from(rows as Iterable<unknown>, { objectMode: true }), sink)
}

async function openPostgres (pool: pg.Pool, direct: Direct): Promise<Session> {
  const client = await pool.connect()
  const db = drizzlePg({ client, schema }) as unknown as Database
  const locks: SQL[] = []
  let broken = false
  let released = false
  // A checked-out client has no pool listener: a connection lost mid-work must fail this
  // work, not the process. The next statement or COPY write reports it.
  client.on('error', () => { broken = true })
  // Behind a transaction-mode pooler the session's statements outside its transaction may
  // each run on another server connection, and a session lock taken on one would outlive
  // this work there: locks go on a direct connection, which lives exactly as long as they.
  let lockClient: pg.Client | undefined
  let lockLost: Error | undefined
  const lockDb = async () => {
    if (!direct.pooled) return db
    if (!lockClient) {
      const opened = directClient(direct, 'sangathan lock')
      opened.on('error', (err) => { lockLost ??= err })
      opened.on('end', () => { lockLost ??= new Error('lock connection ended') })
      lockClient = opened
      await opened.connect()
    }
    return drizzlePg({ client: lockClient, schema }) as unknown as Database
  }
  return {
    kind: 'postgres',
    db,
    async holdLock (key) {
      await (await lockDb()).execute(sql`SELECT pg_advisory_lock(${key})`)
      locks.push(key)
    },
    async transaction (fn) {
      const frozen = new Set<string>()
      const copyStream = (table: string, columns: readonly string[]) => copyStreamInto(client, table, columns, frozen.has(table))
      await client.query('BEGIN')
      try {
        const { commit, value } = await fn({
          tx: db,
          copyIn: copyStream,
          copy: (table, columns, rows) => copyRows(copyStream(table, columns), rows),
          copyText: (table, columns, text) => copyRows(copyStream(table, columns), [text]),
          freeze: freezer(db, frozen)
        })
        // The work's liveness lock gone (its own connection lost): others may already
        // have declared it abandoned, so it must not commit now.
        // A connection failure (08006), so callers answer it as the database unreachable.
        if (commit && lockLost) throw Object.assign(new Error('the connection holding this work\'s lock was lost', { cause: lockLost }), { code: '08006' })
        await client.query(commit ? 'COMMIT' : 'ROLLBACK')
        return value
      } catch (err) {
        // A COPY cut off half way leaves the connection in an unknown protocol state:
        // never reuse it. Closing it also makes the server roll the transaction back.
        broken = true
        throw err
      }
    },
    async release (discard = false) {
      if (released) return
      released = true
      if (lockClient) {
        // Closing the lock's own connection releases its locks.
        const closing = lockClient
        lockClient = undefined
        closing.removeAllListeners('end')
        await closing.end().catch(() => {})
      } else if (!broken && !discard) {
        for (const key of locks) await db.execute(sql`SELECT pg_advisory_unlock(${key})`).catch(() => { broken = true })
      }
      client.release(broken || discard ? new Error('session connection discarded') : undefined)
    }
  }
}

// Rows are grouped into chunks of about this many characters: one COPY data message per
// row would cost more in protocol overhead than the rows themselves.
const COPY_CHUNK = 64 * 1024

function copyStreamInto (client: pg.PoolClient, table: string, columns: readonly string[], freeze: boolean): Writable {
  const copy = client.query(copyFrom(copyStatement(table, columns, 'STDIN', freeze)))
  let buffered = ''
  const flush = (callback: () => void) => {
    const text = buffered
    buffered = ''
    if (text === '' || copy.write(text)) callback()
    else copy.once('drain', () => callback())
  }
  const sink = new Writable({
    objectMode: true,
    write (row: CopyValue[] | string, _encoding, callback) {
      buffered += typeof row === 'string' ? row : copyLine(row)
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
  // The server refusing the COPY fails the pipeline (and with it the work).
  copy.on('error', (err) => sink.destroy(err))
  return sink
}

async function openPglite (pglite: PGlite, db: Database): Promise<Session> {
  return {
    kind: 'pglite',
    db,
    async holdLock () {},
    async transaction<T> (fn: (tx: SessionTransaction) => Promise<{ commit: boolean, value: T }>) {
      return pglite.transaction(async (t) => {
        const tx = drizzlePglite({ client: t as unknown as PGlite, schema }) as unknown as Database
        const { commit, value } = await fn({
          tx,
          copyIn: (table, columns) => blobSink(t, table, columns),
          copy: (table, columns, rows) => copyRows(blobSink(t, table, columns), rows),
          copyText: (table, columns, text) => copyRows(blobSink(t, table, columns), [text]),
          // Locked and checked, not truncated nor copied frozen: PGlite's loads are small,
          // and its ANALYZE saw no all-visible page after a COPY FREEZE.
          freeze: (tables) => lockAndTruncateIfEmpty(tx, tables, false)
        })
        if (!commit) await t.rollback()
        return value
      })
    },
    async release () {}
  }
}

// PGlite COPies from a Blob it is handed whole, so rows go in batches of about this size.
const BLOB_BATCH = 4 * 1024 * 1024

function blobSink (t: PgliteTransaction, table: string, columns: readonly string[]): Writable {
  const statement = copyStatement(table, columns, "'/dev/blob'")
  let chunks: string[] = []
  let size = 0
  const flush = async () => {
    if (size === 0) return
    const blob = new Blob(chunks)
    chunks = []
    size = 0
    await t.query(statement, [], { blob })
  }
  return new Writable({
    objectMode: true,
    write (row: CopyValue[] | string, _encoding, callback) {
      const line = typeof row === 'string' ? row : copyLine(row)
      chunks.push(line)
      size += line.length
      if (size < BLOB_BATCH) return callback()
      flush().then(() => callback(), callback)
    },
    final (callback) {
      flush().then(() => callback(), callback)
    }
  })
}
