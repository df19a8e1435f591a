import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { PGlite } from '@electric-sql/pglite'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import type { DatabaseHandle, DatabaseKind } from '../db/client.js'
import { copyLine, type CopyValue } from '../db/copy-text.js'

/**
 * The single session a load runs on (its transaction, trigger switches and COPYs must
 * share one), with COPY FROM on both drivers: a COPY stream on PostgreSQL, PGlite's
 * /dev/blob device on PGlite. Either is far faster than INSERTs, and the rows go in
 * as the same COPY text on both.
 */
export interface LoadConnection {
  kind: DatabaseKind
  query<T = Record<string, unknown>> (text: string, params?: unknown[]): Promise<T[]>
  copy (table: string, columns: readonly string[], rows: Iterable<readonly CopyValue[]>): Promise<void>
  release (): void
}

export async function connect (handle: DatabaseHandle): Promise<LoadConnection> {
  // drizzle exposes the driver it wraps: a pg.Pool for PostgreSQL, the PGlite instance otherwise.
  const driver = (handle.db as unknown as { $client: pg.Pool | PGlite }).$client
  return handle.kind === 'postgres' ? connectPostgres(driver as pg.Pool) : connectPglite(driver as PGlite)
}

async function connectPostgres (pool: pg.Pool): Promise<LoadConnection> {
  const client = await pool.connect()
  return {
    kind: 'postgres',
    async query<T> (text: string, params?: unknown[]) {
      return (await client.query(text, params)).rows as T[]
    },
    async copy (table, columns, rows) {
      const stream = client.query(copyFrom(copyStatement(table, columns, 'STDIN')))
      await pipeline(Readable.from(copyText(rows)), stream)
    },
    release () { client.release() }
  }
}

function connectPglite (pglite: PGlite): LoadConnection {
  return {
    kind: 'pglite',
    async query<T> (text: string, params?: unknown[]) {
      return (await pglite.query<T>(text, params)).rows
    },
    async copy (table, columns, rows) {
      const blob = new Blob([...copyText(rows)])
      await pglite.query(copyStatement(table, columns, "'/dev/blob'"), [], { blob })
    },
    release () {}
  }
}

function copyStatement (table: string, columns: readonly string[], source: string): string {
  return `COPY ${table} (${columns.join(', ')}) FROM ${source}`
}

const ROWS_PER_CHUNK = 2000

/** COPY text, a few thousand lines per chunk. */
function * copyText (rows: Iterable<readonly CopyValue[]>): Generator<string> {
  let chunk = ''
  let lines = 0
  for (const row of rows) {
    chunk += copyLine(row)
    if (++lines === ROWS_PER_CHUNK) {
      yield chunk
      chunk = ''
      lines = 0
    }
  }
  if (chunk !== '') yield chunk
}
