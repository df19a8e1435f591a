import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { btree_gist as btreeGist } from '@electric-sql/pglite/contrib/btree_gist'
import { ltree } from '@electric-sql/pglite/contrib/ltree'
import { pg_trgm as pgTrgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { type ExtractTablesWithRelations, type SQL } from 'drizzle-orm'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import pg from 'pg'
import { blankImage, MIGRATIONS_FOLDER } from './blank-image.js'
import { claimFolder } from './folder-lock.js'
import { Replicas, type ReplicaStatus } from './replicas.js'
import { applyRoutines, type RoutineRunner } from './routines.js'
import { DEFAULT_LIMITS, setLimits, type LimitsByKind } from './transaction.js'
import * as schema from './schema.js'

export type Schema = typeof schema
/** A drizzle handle that works the same on PGlite and on node-postgres; a transaction is one too. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>

export type DatabaseKind = 'pglite' | 'postgres'

/** The driver underneath: for src/db alone (the session layer, the routines runner). */
export type Driver = { kind: 'postgres', pool: pg.Pool, direct: Direct } | { kind: 'pglite', pglite: PGlite }

/**
 * PostgreSQL: where work that needs a session of its own connects (migrations under their
 * lock, LISTEN, an import's liveness lock). `pooled`: the pool's URL goes through a
 * transaction-mode pooler (PgBouncer), so a pool connection keeps nothing past its
 * transaction, and `url` is the server itself.
 */
export interface Direct { url: string, pooled: boolean }

export interface DatabaseHandle {
  db: Database
  kind: DatabaseKind
  driver: Driver
  /**
   * The handle for a read that may be a little behind (a report, a list): a read replica in
   * use that has replayed at least `after` (a WAL position, see writePosition), taking
   * turns; the primary's `db` when there is none, or on PGlite. Its queries never fail
   * because the replica did: they run again on the primary (src/db/replicas.ts).
   */
  reader (after?: bigint): Database
  /** The primary's WAL position now, when there are replicas to wait for; undefined otherwise. */
  writePosition (): Promise<bigint | undefined>
  /** Each read replica's state, for /health/ready; empty without replicas. */
  replicas (): ReplicaStatus[]
  /** Cheap round trip used by /health/ready. */
  ping (): Promise<void>
  close (): Promise<void>
}

export interface DatabaseOptions {
  /** PostgreSQL connection string; without it the embedded PGlite is used. */
  url?: string
  /**
   * PostgreSQL only: the server itself, when `url` goes through a transaction-mode pooler
   * (PgBouncer). Migrations, LISTEN and imports' liveness locks keep session state, which a
   * pooler hands to the next client's transaction, so they connect here; the pool does not.
   */
  directUrl?: string
  /** Folder for PGlite's files; without it PGlite keeps everything in memory (tests). */
  dataDir?: string
  /**
   * In-memory PGlite only: start from this dump of a data folder (dumpPglite) instead of
   * an empty database. Migrations and routines still run, and find done what the dump holds.
   */
  snapshot?: Blob
  poolMax?: number
  /** Who is opening the PGlite folder, for the lock file (server, seed, keys CLI). */
  purpose?: string
  /** Lock and statement time limits per kind of work (src/db/transaction.ts). */
  limits?: LimitsByKind
  onPoolError?: (err: Error) => void
  /** PostgreSQL only: read replicas (streaming standbys of `url`), src/db/replicas.ts. */
  replicas?: { urls: string[], maxLagMs: number, checkMs: number, onStateChange?: (status: ReplicaStatus, reason?: string) => void }
}

// Advisory lock key so that two instances starting together do not race on migrations.
const MIGRATION_LOCK_KEY = 7_262_023_001

// pg type parsing, fixed in one place: calendar dates stay 'YYYY-MM-DD' strings (no
// time-zone shifts), and bigint counts become numbers (they never approach 2^53).
const PG_DATE = 1082
const PG_INT8 = 20
const PG_NUMERIC = 1700

const pgTypes = {
  getTypeParser (oid: number, format?: 'text' | 'binary') {
    if (oid === PG_DATE) return (v: string) => v
    if (oid === PG_INT8) return (v: string) => Number(v)
    if (oid === PG_NUMERIC) return (v: string) => Number(v)
    return pg.types.getTypeParser(oid, format as 'text')
  }
}

export async function openDatabase (options: DatabaseOptions): Promise<DatabaseHandle> {
  return options.url ? openPostgres(options) : openPglite(options)
}

// What every pool (the primary's, each replica's) is opened with.
const PG_OPTIONS = {
  idleTimeoutMillis: 30_000,
  types: pgTypes as pg.CustomTypesConfig
}

// No JIT (a startup parameter: no extra round trip). It compiles any plan costed over
// jit_above_cost, and a report that runs in 13 ms spent 41 ms compiling (a constituency's
// coverage at up scale); the service's queries are short. PgBouncer refuses a client that
// sends `options` (unless told to ignore it), so behind a pooler the role's own setting
// does it instead (pooledJitOff below); replicas are reached directly and take it.
const NO_JIT = { options: '-c jit=off' }

async function openPostgres (options: DatabaseOptions): Promise<DatabaseHandle> {
  const direct: Direct = { url: options.directUrl ?? options.url!, pooled: Boolean(options.directUrl) && options.directUrl !== options.url }
  const pool = new pg.Pool({
    ...PG_OPTIONS,
    connectionString: options.url,
    max: options.poolMax ?? 10,
    // Fail fast while the server is down so callers get a 503 instead of hanging.
    connectionTimeoutMillis: 5_000,
    application_name: 'sangathan',
    ...(direct.pooled ? {} : NO_JIT)
  })
  // An idle client dying (server restart) must not crash the process.
  pool.on('error', (err) => options.onPoolError?.(err))
  if (direct.pooled) {
    pooledClients.add(pool)
    pool.on('connect', (client) => pooledClients.add(client))
  }

  // Migrations hold a session advisory lock across many transactions: on a connection of
  // their own to the server, never through a pooler, which would run the unlock on another
  // server connection and leave the lock held there.
  const client = directClient(direct, 'sangathan migrations')
  try {
    await client.connect()
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
    try {
      const runner: RoutineRunner = {
        query: async <T>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as T[],
        script: async (text) => { await client.query(text) }
      }
      await migrate(runner, () => migratePg(drizzlePg({ client, schema }), { migrationsFolder: MIGRATIONS_FOLDER }))
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
    }
    if (direct.pooled) await pool.query(pooledJitOff)
  } catch (err) {
    await pool.end()
    throw err
  } finally {
    await client.end().catch(() => {})
  }

  const db = drizzlePg(pool, { schema }) as unknown as Database
  setLimits(db, options.limits ?? DEFAULT_LIMITS)
  // Replicas are never migrated (a standby is read-only, and replays the primary's
  // migrations itself); they are opened once the primary is migrated.
  const replicas = options.replicas?.urls.length
    ? new Replicas(pool, { ...options.replicas, poolMax: options.poolMax ?? 10, limits: options.limits ?? DEFAULT_LIMITS, pgOptions: { ...PG_OPTIONS, ...NO_JIT }, onPoolError: options.onPoolError })
    : undefined
  try {
    await replicas?.start()
  } catch (err) {
    await replicas?.close()
    await pool.end()
    throw err
  }
  return {
    db,
    kind: 'postgres',
    driver: { kind: 'postgres', pool, direct },
    reader: replicas ? (after) => replicas.reader(after) ?? db : () => db,
    writePosition: async () => replicas?.writePosition(),
    replicas: () => replicas?.status() ?? [],
    async ping () { await pool.query('SELECT 1') },
    async close () {
      await replicas?.close()
      if (!pool.ended) await pool.end()
    }
  }
}

// Behind a pooler, JIT is turned off as the role's default in this database: a setting any
// role may give itself (no privilege to ask for, unlike ALTER DATABASE), that stays with
// this service's role and database, and that every server connection the pooler opens from
// then on starts with. `SET LOCAL jit = off` in every transaction would cost a statement
// each; the pooler's `ignore_startup_parameters` would be one more thing to configure.
// Run through the pool, so it is the pooled URL's role that gets it; only when JIT is on.
const pooledJitOff = `DO $$
BEGIN
  IF current_setting('jit') = 'on' THEN
    EXECUTE format('ALTER ROLE %I IN DATABASE %I SET jit = off', current_user, current_database());
  END IF;
END $$`

/**
 * A connection of its own straight to the server (never through the pooler), for work
 * that keeps session state: migrations under their lock, LISTEN, an import's liveness
 * lock. Not connected yet; the caller ends it.
 */
export function directClient (direct: Direct, applicationName: string): pg.Client {
  return new pg.Client({
    connectionString: direct.url,
    connectionTimeoutMillis: 5_000,
    types: pgTypes as pg.CustomTypesConfig,
    application_name: applicationName
  })
}

// The pools that go through a pooler, and their clients: a transaction's handle or a
// session's knows its client, not the handle it came from.
const pooledClients = new WeakSet<object>()

/**
 * Whether `db` (a handle, a transaction, a session) reaches PostgreSQL through a
 * transaction-mode pooler: then each transaction may run on another server connection,
 * so nothing may be prepared under a name (Debian bookworm's PgBouncer, 1.18, does not
 * carry named statements across, and node-postgres, having parsed a name once on a
 * client, does not send it again).
 */
export function behindPooler (db: Database): boolean {
  const handle = db as unknown as { $client?: object, session?: { client?: object } }
  const client = handle.$client ?? handle.session?.client
  return client !== undefined && pooledClients.has(client)
}

async function openPglite (options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.snapshot && options.dataDir) throw new Error('a PGlite snapshot starts an in-memory database only, not one in a folder')
  // Also refused by the configuration (src/config.ts); here for the CLIs and tests that open a database directly.
  if (options.replicas?.urls.length) throw new Error('read replicas are PostgreSQL only: PGlite, the embedded database, has none (set DATABASE_URL, or unset DATABASE_REPLICA_URLS)')
  let release = () => {}
  if (options.dataDir) {
    // Owner-only, as PostgreSQL insists for its own data folders: PGlite writes its files
    // readable and writable by everyone (0666, whatever the umask), so the folder is what
    // keeps other users of the machine out. Folders made by older versions are closed too.
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 })
    chmodSync(options.dataDir, 0o700)
    release = claimFolder(options.dataDir, options.purpose ?? 'server')
  }
  // A folder with no database yet starts from the blank image made at build time, when
  // it is current (src/db/blank-image.ts): no initdb, no migrations to run here.
  const image = options.dataDir && !existsSync(join(options.dataDir, 'PG_VERSION')) ? blankImage() : undefined
  let client: PGlite
  try {
    client = await openPgliteClient(options.dataDir, options.snapshot ?? image)
  } catch (err) {
    release()
    throw err
  }
  const db = drizzlePglite({ client, schema })
  try {
    const runner: RoutineRunner = {
      query: async <T>(text: string, params?: unknown[]) => (await client.query<T>(text, params)).rows,
      script: async (text) => { await client.exec(text) }
    }
    await migrate(runner, () => migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER }))
  } catch (err) {
    await client.close()
    release()
    throw err
  }
  setLimits(db as unknown as Database, options.limits ?? DEFAULT_LIMITS)
  return {
    db: db as unknown as Database,
    kind: 'pglite',
    driver: { kind: 'pglite', pglite: client },
    reader: () => db as unknown as Database,
    writePosition: async () => undefined,
    replicas: () => [],
    async ping () { await client.query('SELECT 1') },
    async close () {
      if (!client.closed) await client.close()
      release()
    }
  }
}

/**
 * The ordered migrations, then the routines: each routine file whose checksum changed, or
 * every one when a migration ran (it may have replaced what a routine hangs on).
 */
async function migrate (runner: RoutineRunner, runMigrations: () => Promise<void>) {
  const count = async () => {
    const [{ present }] = await runner.query<{ present: boolean }>("SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS present")
    if (!present) return 0
    const [row] = await runner.query<{ n: number }>('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations')
    return Number(row.n)
  }
  const before = await count()
  await runMigrations()
  await applyRoutines(runner, { all: await count() !== before })
}

/**
 * A PGlite with the extensions the schema needs, in `dataDir` or in memory (then optionally
 * loaded from a `snapshot`); the database layer and the tests' fixtures use it.
 */
export function openPgliteClient (dataDir: string | undefined, snapshot?: Blob): Promise<PGlite> {
  return PGlite.create({
    dataDir,
    loadDataDir: snapshot,
    extensions: { ltree, pg_trgm: pgTrgm, btree_gist: btreeGist },
    // The embedded database holds a demo or a small district, not a state: a quarter of
    // PostgreSQL's default buffers is plenty, and the process stays ~90 MB smaller.
    startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'],
    parsers: { [PG_DATE]: (v: string) => v, [PG_INT8]: (v: string) => Number(v), [PG_NUMERIC]: (v: string) => Number(v) }
  })
}

/**
 * The data folder of an open PGlite database as a tarball, checkpointed first so that a
 * database started from it (the `snapshot` option) has no WAL to replay.
 */
export async function dumpPglite (handle: DatabaseHandle): Promise<Blob> {
  if (handle.driver.kind !== 'pglite') throw new Error('only a PGlite database can be dumped')
  await handle.driver.pglite.exec('CHECKPOINT')
  return handle.driver.pglite.dumpDataDir('none')
}

/** Runs raw SQL and returns its rows, whichever driver is underneath. */
export async function rows<T> (db: Database, query: SQL): Promise<T[]> {
  const result = await db.execute(query) as unknown as { rows: T[] }
  return result.rows
}
