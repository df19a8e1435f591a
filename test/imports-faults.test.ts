import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import pg from 'pg'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { failAbandonedImports } from '../src/imports/record.js'
import { ADMIN_KEY, buildTestApp, call, databaseEnv, directUrl, freshDatabaseUrl } from './helpers/app.js'
import { count, csv, postImport } from './helpers/imports.js'
import { startProxy } from './helpers/proxy.js'
import { node } from './helpers/built.js'
import { freePort, untilDefined } from './helpers/wait.js'

/**
 * An import interrupted half way leaves nothing behind, its record says it failed, and
 * sending the same file again completes it: the client going away, the server process
 * dying, the database connection being cut, the database itself crashing and restarting.
 * Against a real PostgreSQL.
 */

const onPostgres = Boolean(process.env.DATABASE_URL)
const skip = !onPostgres && 'needs PostgreSQL (DATABASE_URL): the faults are a real server\'s and a real connection\'s'

const BOOTHS = 200
const tree = csv('state,district,block,ward,booth', ...Array.from({ length: BOOTHS }, (_, i) => `FT,D1,B1,W1,PS${i}`))
const presidents = csv('booth,name,voter_id', ...Array.from({ length: BOOTHS }, (_, i) => `FT/D1/B1/W1/PS${i},Person ${i},FTV${String(i).padStart(7, '0')}`))
const firstHalf = presidents.slice(0, presidents.length / 2)

/** Starts a chunked upload of `head` and leaves it open; the caller cuts it or the server. */
function openUpload (port: number, path: string) {
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path, headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'text/csv' } })
  const outcome = new Promise<string>(resolve => {
    req.on('response', (res) => resolve(`answered ${res.statusCode}`))
    req.on('error', (err) => resolve(`failed: ${err.message}`))
  })
  req.write(firstHalf)
  return { req, outcome }
}

t.test('a client that goes away mid-upload: nothing written, the import failed, a rerun completes', { skip }, async (t) => {
  const { app } = await buildTestApp(t)
  t.equal((await postImport(app, 'units', tree)).status, 200)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const upload = openUpload((app.server.address() as AddressInfo).port, '/v1/imports/booth-presidents')
  const running = await untilDefined('the import to start', async () =>
    (await call(app, { method: 'GET', url: '/v1/imports?status=running' })).json.items[0])
  upload.req.destroy()
  t.match(await upload.outcome, /failed/)
  const failed = await untilDefined('the import to fail', async () => {
    const r = (await call(app, { method: 'GET', url: `/v1/imports/${running.id}` })).json
    return r.status === 'running' ? undefined : r
  })
  t.match(failed, { status: 'failed', errors: [{ line: null, code: 'upload_aborted' }] })
  t.equal(await count(app, 'people', sql`voter_id LIKE 'FTV%'`), 0, 'no row of the half-sent file was written')

  const rerun = await postImport(app, 'booth-presidents', presidents)
  t.equal(rerun.status, 200)
  t.same(rerun.json.counts, { rows: BOOTHS, created: BOOTHS, updated: 0, unchanged: 0, failed: 0 })
  t.equal(await count(app, 'appointments', sql`import_id = ${rerun.json.id}`), BOOTHS)
})

t.test('the database connection cut mid-import: nothing written; the abandoned import is found and failed; a rerun completes', { skip }, async (t) => {
  const databaseUrl = (await freshDatabaseUrl(t))!
  const proxy = await startProxy(new URL(databaseUrl))
  t.teardown(proxy.close)
  // Behind a pooler the relay cuts the pool's connections; the import's lock is on its own.
  const app = await buildApp({ config: { ...loadConfig({ ...databaseEnv(databaseUrl), DATABASE_URL: proxy.url, LOG_LEVEL: 'silent', BOOTSTRAP_ADMIN_KEY: ADMIN_KEY }), DATA_DIR_PGLITE: undefined } })
  t.teardown(() => app.close())
  t.equal((await postImport(app, 'units', tree)).status, 200)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const upload = openUpload((app.server.address() as AddressInfo).port, '/v1/imports/booth-presidents')
  const running = await untilDefined('the import to start', async () =>
    (await call(app, { method: 'GET', url: '/v1/imports?status=running' })).json.items[0])
  proxy.cut()
  upload.req.end(presidents.slice(firstHalf.length))
  t.match(await upload.outcome, /answered 503|failed/, 'the caller is told it did not work')
  proxy.restore()

  // The import could not even record its failure; its connection, and with it its lock, is gone.
  await untilDefined('the database to drop the dead connection', async () => (await failAbandonedImports(app.db, 'postgres')) > 0 || undefined)
  t.match((await call(app, { method: 'GET', url: `/v1/imports/${running.id}` })).json, { status: 'failed', errors: [{ code: 'import_interrupted' }] })
  t.equal(await count(app, 'people', sql`voter_id LIKE 'FTV%'`), 0)

  const rerun = await postImport(app, 'booth-presidents', presidents)
  t.same(rerun.json.counts, { rows: BOOTHS, created: BOOTHS, updated: 0, unchanged: 0, failed: 0 })
})

t.test('the server process killed mid-import: nothing written; the next start marks the import failed; a rerun completes', { skip }, async (t) => {
  const databaseUrl = (await freshDatabaseUrl(t))!
  const db = new pg.Client({ connectionString: directUrl(databaseUrl) })
  t.teardown(() => db.end())
  const server = await startServer(t, databaseUrl)
  const post = (base: string, path: string, body: string) => fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'text/csv' }, body })
  t.equal((await post(server.base, '/v1/imports/units', tree)).status, 200)
  await db.connect()

  const upload = openUpload(server.port, '/v1/imports/booth-presidents')
  const running = await untilDefined('the import to start', async () =>
    (await db.query('SELECT id FROM imports WHERE kind = \'booth_presidents\' AND status = \'running\'')).rows[0])
  server.child.kill('SIGKILL')
  t.match(await upload.outcome, /failed/)
  // PostgreSQL rolls the dead server's transaction back and drops its lock once it sees the
  // connection close. Behind a pooler the server connections stay, idle, in its pool: what
  // must go is any transaction and the import's lock.
  await untilDefined('the dead server\'s transaction and lock to go', async () =>
    (await db.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'
                     UNION ALL SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)).rowCount === 0 || undefined)
  t.equal((await db.query('SELECT count(*)::int AS n FROM people')).rows[0].n, 0, 'no row of the import was written')
  t.equal((await db.query('SELECT status FROM imports WHERE id = $1', [running.id])).rows[0].status, 'running', 'the record still says running')

  const restarted = await startServer(t, databaseUrl)
  const record = await (await fetch(`${restarted.base}/v1/imports/${running.id}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json() as object
  t.match(record, { status: 'failed', errors: [{ code: 'import_interrupted' }] }, 'start-up finds the abandoned import')
  const rerun = await (await post(restarted.base, '/v1/imports/booth-presidents', presidents)).json() as { counts: unknown }
  t.same(rerun.counts, { rows: BOOTHS, created: BOOTHS, updated: 0, unchanged: 0, failed: 0 })
})

const PG_BIN = '/usr/lib/postgresql/15/bin'
const canRunCluster = existsSync(`${PG_BIN}/initdb`) && process.getuid?.() === 0

t.test('a database crash and restart mid-import (a throwaway cluster): nothing written; a rerun completes', {
  skip: skip || (!canRunCluster && `needs root and ${PG_BIN} to run a throwaway cluster; the shared server is never restarted`)
}, async (t) => {
  const cluster = await throwawayCluster(t)
  const app = await buildApp({ config: { ...loadConfig({ DATABASE_URL: cluster.url, LOG_LEVEL: 'silent', BOOTSTRAP_ADMIN_KEY: ADMIN_KEY, KEY_CACHE_TTL_MS: '0' }), DATA_DIR_PGLITE: undefined } })
  t.teardown(() => app.close())
  t.equal((await postImport(app, 'units', tree)).status, 200)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const upload = openUpload((app.server.address() as AddressInfo).port, '/v1/imports/booth-presidents')
  const running = await untilDefined('the import to start', async () =>
    (await call(app, { method: 'GET', url: '/v1/imports?status=running' })).json.items[0])
  cluster.crashAndRestart()
  upload.req.end(presidents.slice(firstHalf.length))
  t.match(await upload.outcome, /answered 503|failed/, 'the caller is told it did not work')

  await untilDefined('the database to be back', async () => (await call(app, { method: 'GET', url: '/health/ready' })).status === 200 || undefined)
  await failAbandonedImports(app.db, 'postgres')
  t.match((await call(app, { method: 'GET', url: `/v1/imports/${running.id}` })).json, { status: 'failed' }, 'failed by the import itself or by the sweep')
  t.equal(await count(app, 'people', sql`voter_id LIKE 'FTV%'`), 0, 'crash recovery kept none of it')
  const rerun = await postImport(app, 'booth-presidents', presidents)
  t.same(rerun.json.counts, { rows: BOOTHS, created: BOOTHS, updated: 0, unchanged: 0, failed: 0 })
})

/** A PostgreSQL cluster of our own on a free port, run as the postgres OS user, removed afterwards. */
async function throwawayCluster (t: { teardown (fn: () => unknown): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'sangathan-pg-'))
  const owner = { uid: Number(execFileSync('id', ['-u', 'postgres'])), gid: Number(execFileSync('id', ['-g', 'postgres'])) }
  chownSync(dir, owner.uid, owner.gid)
  const data = join(dir, 'data')
  const port = await freePort()
  const asPostgres = (bin: string, ...args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', `${PG_BIN}/${bin}`, ...args], { stdio: 'ignore' })
  const pgCtl = (...args: string[]) => asPostgres('pg_ctl', '-D', data, '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, ...args)
  asPostgres('initdb', '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync')
  pgCtl('-w', 'start')
  t.teardown(() => {
    try { pgCtl('-m', 'immediate', 'stop') } catch { /* already down */ }
    rmSync(dir, { recursive: true, force: true })
  })
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    /** An immediate shutdown is a crash: the restart runs crash recovery from the WAL. */
    crashAndRestart: () => pgCtl('-m', 'immediate', '-w', 'restart')
  }
}

/** The real server (src/server.ts) as a child process, so that it can be killed outright. */
async function startServer (t: { teardown (fn: () => unknown): void }, databaseUrl: string): Promise<{ child: ChildProcess, port: number, base: string }> {
  const port = await freePort()
  const child = spawn(...node('server'), {
    env: { ...process.env, ...databaseEnv(databaseUrl), PORT: String(port), HOST: '127.0.0.1', BOOTSTRAP_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'error' },
    stdio: 'ignore'
  })
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  const base = `http://127.0.0.1:${port}`
  await untilDefined('the server to start', async () => (await fetch(`${base}/health/ready`).then(r => r.ok, () => false)) || undefined, 60_000)
  return { child, port, base }
}
