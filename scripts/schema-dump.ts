import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { openDatabase } from '../src/db/client.js'

/**
 * The whole current schema in one file: a scratch database on the PostgreSQL server in
 * DATABASE_URL is migrated the way the service migrates (ordered migrations, then the
 * routines), dumped with pg_dump --schema-only, normalised, and written to
 * src/db/schema.sql. With --check it is compared instead, and a difference fails (CI), so
 * a change to the schema that forgets the dump cannot land.
 *
 *   DATABASE_URL=postgres://… npm run db:dump [-- --check]
 */
const DUMP = fileURLToPath(new URL('../src/db/schema.sql', import.meta.url))
const HEADER = '-- The current schema, as `npm run db:dump` made it: ordered migrations (migrations/) then\n' +
  '-- routines (src/db/routines/), dumped with pg_dump --schema-only. Generated; do not edit.\n'

/** pg_dump output without what changes from run to run or machine to machine. */
export function normalise (dump: string): string {
  const lines = dump.split('\n').filter(line =>
    !/^\\(un)?restrict /.test(line) && // random per run (pg_dump 15.14+)
    !/^-- Dumped (from database|by pg_dump) version/.test(line))
  return HEADER + lines.join('\n').replace(/\n{3,}/g, '\n\n').trim() + '\n'
}

async function main () {
  const base = process.env.DATABASE_URL
  if (!base) throw new Error('db:dump needs DATABASE_URL: a PostgreSQL server where it may create a scratch database')
  const check = process.argv.includes('--check')
  const name = `sangathan_schema_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  try {
    const url = new URL(base)
    url.pathname = `/${name}`
    const handle = await openDatabase({ url: url.toString() })
    await handle.close()
    const dump = normalise(execFileSync('pg_dump', ['--schema-only', '--no-owner', '--no-privileges', '--dbname', url.toString()], { encoding: 'utf8' }))
    if (!check) {
      writeFileSync(DUMP, dump)
      console.log(`wrote ${DUMP}`)
      return 0
    }
    const committed = readFileSync(DUMP, 'utf8')
    if (committed === dump) {
      console.log('src/db/schema.sql matches a freshly migrated database')
      return 0
    }
    const a = committed.split('\n')
    const b = dump.split('\n')
    const first = a.findIndex((line, i) => line !== b[i])
    console.error(`src/db/schema.sql is stale: it differs from a freshly migrated database from line ${first + 1}:`)
    console.error(`  committed: ${a[first] ?? '(end of file)'}\n  migrated:  ${b[first] ?? '(end of file)'}`)
    console.error('Run `npm run db:dump` with DATABASE_URL set and commit the result.')
    return 1
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.end()
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then((code) => { process.exitCode = code }, (err) => { console.error((err as Error).message); process.exitCode = 1 })
}
