import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import pg from 'pg'
import { dumpPglite, MIGRATIONS_FOLDER, openDatabase } from '../../src/db/client.js'
import { ROUTINES_FOLDER } from '../../src/db/routines.js'

/**
 * The databases test files run on. Migrating a new database takes seconds on PGlite, most
 * of a small file's time, so it is done once and each file starts from the result: on
 * PGlite a dump of the migrated data folder, kept in the temp folder; on PostgreSQL a
 * template database, copied per file. The first file that needs one makes it. Both are
 * named by a hash of everything that shapes them, so a changed migration or routine makes
 * a new one; they are kept for the next run, and ones made over a week ago are removed
 * when a new one is made. The app still runs its migrations on boot and finds them done;
 * the tests of start-up, upgrade and the CLIs start from empty databases
 * (freshDatabaseUrl, or buildTestApp's `empty`), where the migrations run for real.
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
let snapshot: Promise<Blob | undefined> | undefined

/**
 * A freshly migrated PGlite data folder, as a tarball for the app's `pgliteSnapshot`, read
 * from the temp folder. The first file to find none makes it, holding a lock file the
 * while; a file that finds the lock held by a live process gets undefined and migrates its
 * own database, as if there were no snapshot: nobody waits, and nobody makes it twice.
 */
export function pgliteSnapshot (): Promise<Blob | undefined> {
  snapshot ??= (async () => {
    const file = join(SNAPSHOTS, `pglite-${schemaKey()}.tar`)
    if (existsSync(file)) return new Blob([readFileSync(file)])
    mkdirSync(SNAPSHOTS, { recursive: true })
    if (!takeLock(`${file}.lock`)) return undefined
    try {
      const handle = await openDatabase({})
      const dump = await dumpPglite(handle)
      await handle.close()
      // Written aside and renamed: a reader sees the whole file or none.
      writeFileSync(`${file}.partial`, new Uint8Array(await dump.arrayBuffer()))
      renameSync(`${file}.partial`, file)
      // Made over a week ago: most likely an old branch's (one still in use is made again).
      for (const name of readdirSync(SNAPSHOTS).filter(name => name.endsWith('.tar'))) {
        const path = join(SNAPSHOTS, name)
        if (Date.now() - statSync(path).mtimeMs > WEEK_MS) rmSync(path, { force: true })
      }
      return dump
    } finally {
      rmSync(`${file}.lock`, { force: true })
    }
  })()
  return snapshot
}

/** Creates the lock file with our pid; takes over one whose process is gone. */
function takeLock (lock: string): boolean {
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' })
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  try {
    process.kill(Number(readFileSync(lock, 'utf8')), 0)
    return false
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') return false
    rmSync(lock, { force: true })
    return takeLock(lock)
  }
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
      const handle = await openDatabase({ url: urlOf(building), poolMax: 1 })
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
