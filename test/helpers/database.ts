import { createHash, randomBytes } from 'node:crypto'
import pg from 'pg'
import { blankImage, schemaKey } from '../../src/db/blank-image.js'
import { openDatabase } from '../../src/db/client.js'

/**
 * The databases test files run on. Migrating a new database takes seconds on PGlite, most
 * of a small file's time, so it is done once and each file starts from the result: on
 * PGlite the blank database image the build makes (src/db/blank-image.ts: `npm test`'s
 * pretest makes it again when a migration or routine changed); on PostgreSQL a template
 * database, copied per file. The template is named by a hash of everything that shapes it,
 * so a changed migration or routine makes a new one; it is kept for the next run, and ones
 * made over a week ago are removed when a new one is made. The app still runs its
 * migrations on boot and finds them done; the tests of start-up, upgrade and the CLIs
 * start from empty databases (freshDatabaseUrl, or buildTestApp's `empty`), and
 * test/upgrade.test.ts checks the image against a database migrated from empty.
 */

interface Teardown { teardown (fn: () => unknown): void }

export const usingPostgres = Boolean(process.env.DATABASE_URL)

/**
 * With DATABASE_DIRECT_URL too, DATABASE_URL is a transaction-mode pooler in front of that
 * server (CI runs the PostgreSQL suite so): the apps under test connect through it, and
 * the work that needs a session (making and dropping databases, the template's migration)
 * goes to the server itself.
 */
export const usingPooler = usingPostgres && Boolean(process.env.DATABASE_DIRECT_URL)

// --- PGlite ----------------------------------------------------------------------------

let snapshot: Blob | undefined | null = null

/**
 * The blank database image for the app's `pgliteSnapshot`; undefined when it is missing or
 * stale (tap run directly after a migration changed), and then each file migrates its own.
 */
export async function pgliteSnapshot (): Promise<Blob | undefined> {
  if (snapshot === null) snapshot = blankImage()
  return snapshot
}

// --- PostgreSQL --------------------------------------------------------------------------

async function admin<T> (work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_DIRECT_URL ?? process.env.DATABASE_URL })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

function urlOf (database: string, base = process.env.DATABASE_URL!): string {
  const url = new URL(base)
  url.pathname = `/${database}`
  return url.toString()
}

/**
 * The environment for an app or CLI on the test database at `url` (one of this file's
 * URLs): behind the pooler, its DATABASE_DIRECT_URL too, the same database on the server
 * itself. Always both keys, so that one spread over process.env replaces CI's own.
 */
export function databaseEnv (url: string | undefined): { DATABASE_URL?: string, DATABASE_DIRECT_URL?: string } {
  if (!url) return { DATABASE_URL: undefined, DATABASE_DIRECT_URL: undefined }
  const direct = usingPooler ? urlOf(decodeURIComponent(new URL(url).pathname.slice(1)), process.env.DATABASE_DIRECT_URL) : undefined
  return { DATABASE_URL: url, DATABASE_DIRECT_URL: direct }
}

/** The test database at `url`, on the server itself (not through the pooler). */
export function directUrl (url: string): string {
  return databaseEnv(url).DATABASE_DIRECT_URL ?? url
}

/**
 * The template's name: per schema and per role. Only its owner (or a superuser) may copy
 * a database not marked IS_TEMPLATE, and it stays unmarked so that the CI's clean-up,
 * which drops every database its role owns, can drop it.
 */
async function templateName (client: pg.Client): Promise<string> {
  const { rows: [{ user }] } = await client.query('SELECT current_user AS user')
  return `sangathan_tpl_${createHash('sha256').update(`${schemaKey()} ${user}`).digest('hex').slice(0, 16)}`
}

/**
 * Makes the migrated template database unless it exists, under an advisory lock (a file
 * that finds another making it waits for it). Made under another name and renamed when
 * done, so nobody copies it half made or while the migration is connected to it.
 */
export async function ensureTemplate (): Promise<string> {
  return admin(async (client) => {
    const name = await templateName(client)
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [name])
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
      if (rowCount) return name
      const building = `${name}_building`
      // One left by a run that died half way: we hold the lock, so nobody is making it now.
      await client.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`)
      await client.query(`CREATE DATABASE ${building}`)
      const handle = await openDatabase({ url: directUrl(urlOf(building)), poolMax: 1 })
      await handle.close()
      await client.query(`ALTER DATABASE ${building} RENAME TO ${name}`)
      await client.query(`COMMENT ON DATABASE ${name} IS 'sangathan tests: migrated template, made ${new Date().toISOString()}'`)
      // This role's templates made over a week ago: most likely an old branch's.
      const { rows: old } = await client.query<{ datname: string }>(`
        SELECT datname FROM pg_database
         WHERE datname LIKE 'sangathan\\_tpl\\_%' AND datdba = (SELECT oid FROM pg_roles WHERE rolname = current_user)
           AND substring(shobj_description(oid, 'pg_database') FROM 'made (\\S+)$')::timestamptz < now() - interval '7 days'`)
      for (const { datname } of old) await client.query(`DROP DATABASE IF EXISTS ${datname}`).catch(() => {})
      return name
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name])
    }
  })
}

/** A new database for one file, dropped when it ends: `from` a template, or empty. */
async function newDatabase (t: Teardown, from?: string): Promise<string> {
  const name = `sangathan_t_${process.pid}_${randomBytes(4).toString('hex')}`
  await admin(client => client.query(`CREATE DATABASE ${name}${from ? ` TEMPLATE ${from}` : ''}`))
  t.teardown(() => admin(client => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)))
  return urlOf(name)
}

/**
 * A fresh, empty database for one test file on the server in DATABASE_URL (so parallel
 * files never share state); undefined on PGlite, where the app's database is in memory.
 */
export async function freshDatabaseUrl (t: Teardown): Promise<string | undefined> {
  return usingPostgres ? newDatabase(t) : undefined
}

/** Like freshDatabaseUrl, but already migrated: a copy of the template. */
export async function migratedDatabaseUrl (t: Teardown): Promise<string | undefined> {
  if (!usingPostgres) return undefined
  try {
    return await newDatabase(t, await ensureTemplate())
  } catch (err) {
    // Dropped between the two calls (the CI's clean-up, or a week-old one cleared away).
    if ((err as { code?: string }).code !== '3D000') throw err
    return newDatabase(t, await ensureTemplate())
  }
}
