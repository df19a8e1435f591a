import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { freshDatabaseUrl } from './helpers/app.js'

const run = promisify(execFile)
const dataDir = mkdtempSync(join(tmpdir(), 'sangathan-keys-'))
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
const databaseUrl = await freshDatabaseUrl(t)
const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir }
if (databaseUrl) env.DATABASE_URL = databaseUrl
else delete env.DATABASE_URL

const keys = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', ...args], { env })

t.test('create, list and revoke keys from the command line', async (t) => {
  const created = await keys('create', '--role', 'editor', '--label', 'field laptop')
  const key = JSON.parse(created.stdout)
  t.match(key.key, /^sg_/)
  t.equal(key.role, 'editor')
  t.match(created.stderr, /shown once/)
  const listed = await keys('list')
  t.match(listed.stdout, key.id)
  t.notMatch(listed.stdout, key.key, 'the secret is never listed')
  const revoked = await keys('revoke', key.id)
  t.match(revoked.stdout, /revoked/)
  t.notMatch((await keys('list')).stdout, key.id, 'revoked keys hidden')
  t.match((await keys('list', '--all')).stdout, key.id)
  const bad = await keys('create', '--role', 'emperor', '--label', 'x').catch(e => e)
  t.equal(bad.code, 2)
})

t.test('the CLI refuses a PGlite folder held by a running server', { skip: Boolean(databaseUrl) && 'PGlite only' }, async (t) => {
  const folder = join(dataDir, 'pglite')
  mkdirSync(folder, { recursive: true })
  // This test process is alive: its claim is not stale.
  writeFileSync(join(folder, 'sangathan.lock'), JSON.stringify({ pid: process.pid, purpose: 'server' }))
  const refused = await keys('list').catch(e => e)
  t.equal(refused.code, 1)
  t.match(refused.stderr, /in use by process/)
  rmSync(join(folder, 'sangathan.lock'))
})
