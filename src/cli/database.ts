import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import pg from 'pg'
import { loadConfig, type Config } from '../config.js'
import { openDatabase, type DatabaseHandle } from '../db/client.js'
import { UsageError } from './run.js'

/** The environment's settings; a wrong one is the caller's to fix (exit 2). */
export function loadCliConfig (): Config {
  try {
    return loadConfig()
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

type State = 'database' | 'nothing' | 'other files'

/**
 * Whether the configured place holds a Sangathan database, found without creating
 * anything: opening one migrates it, so a mistyped DATA_DIR or database name would
 * otherwise become a new, empty database that looks like the real one.
 */
async function inspect (config: Config): Promise<{ state: State, where: string }> {
  if (config.DATABASE_URL) {
    const url = new URL(config.DATABASE_URL)
    const where = `database ${decodeURIComponent(url.pathname.slice(1)) || '(default)'} on ${url.host}`
    // Straight to the server when there is a pooler: a missing database is its error to name.
    const client = new pg.Client({ connectionString: config.DATABASE_DIRECT_URL ?? config.DATABASE_URL, connectionTimeoutMillis: 5_000 })
    try {
      await client.connect()
    } catch (err) {
      // invalid_catalog_name: the database in the URL does not exist.
      if ((err as { code?: string }).code === '3D000') throw new UsageError(`there is no ${where}: check DATABASE_URL`)
      throw err
    }
    try {
      const { rows } = await client.query<{ present: boolean }>("SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS present")
      return { state: rows[0].present ? 'database' : 'nothing', where }
    } finally {
      await client.end()
    }
  }
  const folder = resolve(config.DATA_DIR_PGLITE!)
  // PGlite writes PG_VERSION once initdb has run; a folder without it is initialised on open.
  if (existsSync(join(folder, 'PG_VERSION'))) return { state: 'database', where: folder }
  if (!existsSync(folder)) return { state: 'nothing', where: folder }
  if (!statSync(folder).isDirectory()) return { state: 'other files', where: folder }
  // A stale claim is ours to remove; anything else is not ours to initialise over.
  const others = readdirSync(folder).filter(name => name !== 'sangathan.lock')
  return { state: others.length === 0 ? 'nothing' : 'other files', where: folder }
}

/**
 * Before a CLI opens the configured database: where there is none yet, with `create` say
 * on stderr where one will be made; without, refuse (exit 2), leaving everything as it was.
 */
export async function checkCliDatabase (config: Config, options: { name: string, create: boolean }): Promise<void> {
  const { state, where } = await inspect(config)
  if (state === 'other files') {
    throw new UsageError(`${where} holds files but no database: not creating one there (check DATA_DIR=${config.DATA_DIR})`)
  }
  if (state === 'nothing') {
    if (!options.create) {
      const setting = config.DATABASE_URL ? 'DATABASE_URL' : `DATA_DIR=${config.DATA_DIR}`
      throw new UsageError(`no Sangathan database in ${where}: check ${setting}, or pass --create to make a new one there`)
    }
    process.stderr.write(`${options.name}: no database in ${where} yet: creating one\n`)
  }
}

/** Opens (and migrates) the configured database: PostgreSQL, or the PGlite folder, claimed. */
export function openConfiguredDatabase (config: Config, purpose: string): Promise<DatabaseHandle> {
  return openDatabase({ url: config.DATABASE_URL, directUrl: config.DATABASE_DIRECT_URL, dataDir: config.DATABASE_URL ? undefined : config.DATA_DIR_PGLITE, purpose })
}
