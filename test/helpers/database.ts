import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import pg from 'pg'
import { dumpPglite, MIGRATIONS_FOLDER, openDatabase } from '../../src/db/client.js'
import { ROUTINES_FOLDER } from '../../src/db/routines.js'

/**
 * The databases test files run on. Migrating a new database takes seconds on PGlite, most
 * of a small file's time, so a run migrates once (test/setup.ts) and each file starts from
 * the result: on PGlite a dump of the migrated data folder, kept in the temp folder; on
 * PostgreSQL a template database, copied per file. Both are named by a hash of everything
 * that shapes them, so a changed migration or routine makes a new one. The app still runs
 * its migrations on boot and finds them done; the tests of start-up, upgrade and the CLIs
 * start from empty databases (freshDatabaseUrl, or buildTestApp's `empty`), where they run
 * for real.
 */

interface Teardown { teardown (fn: () => unknown): void }

export const usingPostgres = Boolean(process.env.DATABASE_URL)

/** Hash of the migrations, the routines and the versions of the code that applies them. */
function schemaKey (): string {
  const hash = createHash('sha256')
  const add = (folder: string, root = folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(folder, entry.name)
      if (entry.isDirectory()) add(path, root)
      else hash.update(`${relative(root, path)}\0`).update(readFileSync(path)).update('\0')
    }
  }
  add(MIGRATIONS_FOLDER)
  add(ROUTINES_FOLDER)
  const { dependencies } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
  hash.update(`${dependencies['@electric-sql/pglite']} ${dependencies['drizzle-orm']}`)
  return hash.digest('hex').slice(0, 16)
}

// --- PGlite ----------------------------------------------------------------------------

const SNAPSHOTS = join(tmpdir(), 'sangathan-test-snapshots')
const WEEK_MS = 7 * 24 * 3600_000
let snapshot: Promise<Blob> | undefined

/**
 * A freshly migrated PGlite data folder, as a tarball for the app's `pgliteSnapshot`: read
 * from the temp folder, or made there once (written aside and renamed, so that two files
 * making it at once each read a whole one).
 */
export function pgliteSnapshot (): Promise<Blob> {
  snapshot ??= (async () => {
    const file = join(SNAPSHOTS, `pglite-${schemaKey()}.tar`)
    try {
      return new Blob([readFileSync(file)])
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    const handle = await openDatabase({})
    const dump = await dumpPglite(handle)
    await handle.close()
    mkdirSync(SNAPSHOTS, { recursive: true })
    const partial = `${file}.${process.pid}.partial`
    writeFileSync(partial, new Uint8Array(await dump.arrayBuffer()))
    renameSync(partial, file)
    // Snapshots of schemas left behind a week ago (an old branch) are not coming back.
    for (const name of readdirSync(SNAPSHOTS)) {
      const path = join(SNAPSHOTS, name)
      if (path !== file && Date.now() - statSync(path).mtimeMs > WEEK_MS) rmSync(path, { force: true })
    }
    return dump
  })()
  return snapshot
}

// --- PostgreSQL --------------------------------------------------------------------------

async function admin<T> (work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

function urlOf (database: string): string {
  const url = new URL(process.env.DATABASE_URL!)
  url.pathname = `/${database}`
  return url.toString()
}

/**
 * The template's name: per schema and per role, since only its owner (or a superuser) may
 * copy a database that is not marked IS_TEMPLATE, and marking it would stop the CI's
 * clean-up, which drops every database its role owns, from dropping it.
 */
async function templateName (client: pg.Client): Promise<string> {
  const { rows: [{ user }] } = await client.query('SELECT current_user AS user')
  return `sangathan_tpl_${createHash('sha256').update(`${schemaKey()} ${user}`).digest('hex').slice(0, 16)}`
}

/**
 * Makes the migrated template database unless it exists. Built under another name and
 * renamed when done, so nobody copies it half made or while the migration is connected.
 */
export async function ensureTemplate (): Promise<string> {
  return admin(async (client) => {
    const name = await templateName(client)
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [name])
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
      if (rowCount) return name
      const building = `${name}_building`
      // One left by a run that died half way: we hold the lock, so nobody is building it now.
      await client.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`)
      await client.query(`CREATE DATABASE ${building}`)
      const handle = await openDatabase({ url: urlOf(building), poolMax: 1 })
      await handle.close()
      await client.query(`ALTER DATABASE ${building} RENAME TO ${name}`)
      return name
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name])
    }
  })
}

/** Drops the template (test/teardown.ts, at the end of a run). */
export async function dropTemplate (): Promise<void> {
  await admin(async (client) => { await client.query(`DROP DATABASE IF EXISTS ${await templateName(client)}`) })
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
    // Another run on this server ended and dropped the template between the two calls.
    if ((err as { code?: string }).code !== '3D000') throw err
    return newDatabase(t, await ensureTemplate())
  }
}
