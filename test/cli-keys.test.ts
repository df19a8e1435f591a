import { execFile } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import t from 'tap'
import { databaseEnv, directUrl, freshDatabaseUrl } from './helpers/app.js'
import { node } from './helpers/built.js'

const dataDir = mkdtempSync(join(tmpdir(), 'sangathan-keys-'))
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
const databaseUrl = await freshDatabaseUrl(t)

function environment (settings: { dataDir: string, databaseUrl?: string }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: settings.dataDir }
  if (settings.databaseUrl) Object.assign(env, databaseEnv(settings.databaseUrl))
  else { delete env.DATABASE_URL; delete env.DATABASE_DIRECT_URL }
  return env
}
const env = environment({ dataDir, databaseUrl })

interface Ran { code: number, stdout: string, stderr: string }

/** `npm run keys -- ARGS` (as npm runs it, from the package root): its exit code and what it printed. */
const keys = (...args: string[]) => keysIn(env, ...args)
function keysIn (environment: NodeJS.ProcessEnv, ...args: string[]): Promise<Ran> {
  return new Promise(resolve => {
    execFile(...node('cli/keys', ...args), { env: environment }, (err, stdout, stderr) => {
      resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout, stderr })
    })
  })
}

t.test('a mistyped DATA_DIR, an empty folder or an empty database is refused, and nothing is created', async (t) => {
  if (databaseUrl) {
    const empty = await freshDatabaseUrl(t)
    const refused = await keysIn(environment({ dataDir, databaseUrl: empty }), 'list')
    t.equal(refused.code, 2)
    t.match(refused.stderr, /^keys: no Sangathan database in database sangathan_t_\w+ on .*: check DATABASE_URL, or pass --create to make a new one there\n$/)
    const client = new pg.Client({ connectionString: directUrl(empty!) })
    await client.connect()
    const { rows } = await client.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
    await client.end()
    t.equal(rows[0].n, 0, 'no tables were made')
    return
  }
  const typo = join(dataDir, 'dta')
  const refused = await keysIn(environment({ dataDir: typo }), 'create', '--role', 'admin', '--label', 'ops')
  t.equal(refused.code, 2)
  t.equal(refused.stderr, `keys: no Sangathan database in ${join(typo, 'pglite')}: check DATA_DIR=${typo}, or pass --create to make a new one there\n`)
  t.equal(refused.stdout, '')
  t.notOk(existsSync(typo), 'the folder stays absent')

  const empty = mkdtempSync(join(tmpdir(), 'sangathan-keys-empty-'))
  t.teardown(() => rmSync(empty, { recursive: true, force: true }))
  t.equal((await keysIn(environment({ dataDir: empty }), 'list')).code, 2)
  t.same(readdirSync(empty), [], 'the folder stays empty')

  // Not even with --create: PGlite would initialise its database among someone's files.
  mkdirSync(join(empty, 'pglite'))
  writeFileSync(join(empty, 'pglite', 'notes.txt'), 'not a database')
  const other = await keysIn(environment({ dataDir: empty }), 'list', '--create')
  t.equal(other.code, 2)
  t.match(other.stderr, /^keys: .*pglite holds files but no database: not creating one there/)
  t.same(readdirSync(join(empty, 'pglite')), ['notes.txt'])
})

t.test('create (with --create on a new database), list and revoke keys from the command line', async (t) => {
  const created = await keys('create', '--role', 'editor', '--label', 'field laptop', '--create')
  t.equal(created.code, 0)
  const key = JSON.parse(created.stdout)
  t.match(key.key, /^sg_/)
  t.equal(key.role, 'editor')
  t.match(created.stderr, /^keys: no database in .* yet: creating one\n/)
  t.match(created.stderr, /shown once/)
  // A folder left open to others by an older version is closed on its next use.
  if (!databaseUrl) chmodSync(join(dataDir, 'pglite'), 0o755)
  const listed = await keys('list')
  t.equal(listed.code, 0, 'the database exists now: no --create needed')
  if (!databaseUrl) t.equal(statSync(join(dataDir, 'pglite')).mode & 0o777, 0o700, 'the database folder is its owner\'s only')
  t.match(listed.stdout, key.id)
  t.notMatch(listed.stdout, key.key, 'the secret is never listed')
  const revoked = await keys('revoke', key.id)
  t.match(revoked.stdout, /revoked/)
  t.notMatch((await keys('list')).stdout, key.id, 'revoked keys hidden')
  t.match((await keys('list', '--all')).stdout, key.id)
})

t.test('usage errors are one line and exit 2, before the database is looked for', async (t) => {
  // A place with no database: the arguments are refused first.
  const nowhere = environment({ dataDir: join(dataDir, 'absent'), databaseUrl: databaseUrl && databaseUrl.replace(/\/(\w+)$/, '/$1_absent') })
  for (const args of [[], ['create', '--role', 'emperor', '--label', 'x'], ['create', '--role', 'admin'], ['revoke', 'not-an-id'], ['list', '--bogus']]) {
    const bad = await keysIn(nowhere, ...args)
    t.equal(bad.code, 2, args.join(' ') || '(nothing)')
    t.match(bad.stderr, /^keys: [^\n]+\n$/, 'one line')
    t.notMatch(bad.stderr, /database|npm run keys|\n {4}at /, 'about the arguments; no usage dump, no stack')
  }
  t.match((await keys('--help')).stdout, /--create/)
})

t.test('the CLI refuses a PGlite folder held by a running server', { skip: Boolean(databaseUrl) && 'PGlite only' }, async (t) => {
  const folder = join(dataDir, 'pglite')
  mkdirSync(folder, { recursive: true })
  // This test process is alive: its claim is not stale.
  writeFileSync(join(folder, 'sangathan.lock'), JSON.stringify({ pid: process.pid, purpose: 'server' }))
  const refused = await keys('list')
  t.equal(refused.code, 1)
  t.match(refused.stderr, /^keys: .*in use by process/)
  rmSync(join(folder, 'sangathan.lock'))
})
