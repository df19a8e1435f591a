import http from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import t from 'tap'
import { ADMIN_KEY, buildTestApp, call, directUrl, freshDatabaseUrl, usingPostgres } from './helpers/app.js'
import { csv, postImport } from './helpers/imports.js'
import { PGBOUNCER, startPooler } from './helpers/pooler.js'
import { createChain, createUnit } from './helpers/tree.js'
import { untilDefined } from './helpers/wait.js'

/**
 * The service behind PgBouncer in transaction mode, Debian's stock configuration (no
 * ignore_startup_parameters): a throwaway pooler of its own, with ONE server connection,
 * so that everything the app does through it shares a single backend and any session
 * state it left behind would show to the next client. Migrations, LISTEN and an import's
 * liveness lock go to DATABASE_DIRECT_URL.
 */

const skip = !usingPostgres
  ? 'needs PostgreSQL (DATABASE_URL): there is no pooler in front of PGlite'
  : !PGBOUNCER ? 'needs pgbouncer (apt-get install pgbouncer)' : false

if (skip) {
  t.plan(0, skip)
} else {
  await run()
}

async function run () {
  // In front of the server itself, also when the suite runs through CI's own pooler.
  const pooler = await startPooler(t, process.env.DATABASE_DIRECT_URL ?? process.env.DATABASE_URL!, { poolSize: 1 })
  const created = (await freshDatabaseUrl(t))!
  const database = decodeURIComponent(new URL(created).pathname.slice(1))
  const pooled = pooler.url(database)
  const direct = directUrl(created)

  const server = new pg.Client({ connectionString: direct })
  await server.connect()
  t.teardown(() => server.end())
  /** Connections to this database from one application name, as the server sees them. */
  const sessions = async (applicationName: string) => (await server.query<{ query: string }>(
    'SELECT query FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [database, applicationName])).rows

  const env = { DATABASE_DIRECT_URL: direct, KEY_CACHE_TTL_MS: '0' }
  // This one numbers changes rarely: a long-poll on it woken in time heard another's NOTIFY.
  const { app } = await buildTestApp(t, { ...env, CHANGES_SEQUENCE_MS: '10000' }, { databaseUrl: pooled })

  /**
   * Sends the first half of `file` to the booth presidents' import and holds the upload open
   * until the import's lock is seen, from the server side: the pooler's one connection is
   * the import's until it ends. The caller sends the rest.
   */
  async function openImport (file: string, query = '') {
    const req = http.request({ host: '127.0.0.1', port: (app.server.address() as AddressInfo).port, method: 'POST', path: `/v1/imports/booth-presidents${query}`, headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'text/csv' } })
    const answered = new Promise<{ status: number, body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => { body += chunk.toString() })
        res.on('end', () => resolve({ status: res.statusCode!, body }))
      })
      req.on('error', reject)
    })
    req.write(file.slice(0, file.length / 2))
    await untilDefined('the import\'s lock', async () => (await server.query(`
      SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND a.datname = $1 AND a.application_name = 'sangathan lock'`, [database])).rowCount! > 0 || undefined)
    return { req, answered }
  }

  t.test('it boots and migrates from empty through the pooler; JIT is off by the role\'s setting', async (t) => {
    const ready = await call(app, { method: 'GET', url: '/health/ready' })
    t.equal(ready.status, 200)
    t.equal(ready.json.database, 'postgres')
    t.equal((await server.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations')).rows[0].n > 0, true, 'migrated')
    t.same(await sessions('sangathan migrations'), [], 'the migrations\' direct connection is closed')
    const { rows } = await server.query<{ setconfig: string[] }>(`
      SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
       WHERE d.datname = $1 AND s.setrole = (SELECT oid FROM pg_roles WHERE rolname = current_user)`, [database])
    t.same(rows.flatMap(r => r.setconfig), ['jit=off'], 'the startup option the pooler refuses is the role\'s default here instead')
  })

  t.test('API writes and reads', async (t) => {
    const state = await createUnit(app, { level: 'state', code: 'PB', name: 'Pooled state' })
    for (let i = 0; i < 3; i++) {
      const read = await call(app, { method: 'GET', url: `/v1/units/${state.id}` })
      t.equal(read.status, 200, `read ${i + 1}: the unit query, unnamed, on whichever server connection`)
      t.equal(read.json.code, 'PB')
    }
    // Units under it: each write reads its parent by id inside the transaction.
    const chain = await createChain(app, 'PC')
    t.equal((await call(app, { method: 'GET', url: `/v1/units/${chain.booth.id}` })).json.codePath, 'PCS/D1/B1/W1/AC072-PS0145')
    const renamed = await call(app, { method: 'PATCH', url: `/v1/units/${state.id}`, payload: { name: 'Pooled state, renamed' }, headers: { 'if-match': (await call(app, { method: 'GET', url: `/v1/units/${state.id}` })).headers.etag as string } })
    t.equal(renamed.status, 200)
    t.equal((await call(app, { method: 'GET', url: '/v1/units?level=state' })).json.items[0].name, 'Pooled state, renamed')
  })

  t.test('an import holds its liveness lock on a direct connection, and lets it go', async (t) => {
    const booths = 50
    t.equal((await postImport(app, 'units', csv('state,district,block,ward,booth', ...Array.from({ length: booths }, (_, i) => `PB,D1,B1,W1,PS${i}`)))).status, 200)
    const presidents = csv('booth,name,voter_id', ...Array.from({ length: booths }, (_, i) => `PB/D1/B1/W1/PS${i},Person ${i},PBV${String(i).padStart(7, '0')}`))
    await app.listen({ port: 0, host: '127.0.0.1' })
    const { req, answered } = await openImport(presidents)
    t.pass('held by the import\'s own direct connection')
    req.end(presidents.slice(presidents.length / 2))
    const done = await answered
    t.equal(done.status, 200, done.body)
    t.match(JSON.parse(done.body), { status: 'succeeded', counts: { rows: booths, created: booths } })
    await untilDefined('the lock\'s connection to close', async () => (await sessions('sangathan lock')).length === 0 || undefined)
    const free = await server.query('SELECT pg_try_advisory_xact_lock(hashtextextended(\'sangathan.import:\' || $1::text, 0)) AS free', [JSON.parse(done.body).id])
    t.equal(free.rows[0].free, true, 'its lock is free again')
  })

  t.test('an import whose lock connection is lost rolls back, answered as the database unreachable', async (t) => {
    const presidents = csv('booth,name,voter_id', ...Array.from({ length: 50 }, (_, i) => `PB/D1/B1/W1/PS${i},Other ${i},PBX${String(i).padStart(7, '0')}`))
    // Other people for the same posts: replacing them, it would commit.
    const { req, answered } = await openImport(presidents, '?replace=true')
    await server.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = \'sangathan lock\'', [database])
    req.end(presidents.slice(presidents.length / 2))
    const done = await answered
    t.equal(done.status, 503, done.body)
    t.match(JSON.parse(done.body), { code: 'database_unavailable' })
    t.equal((await server.query('SELECT count(*)::int AS n FROM people WHERE voter_id LIKE \'PBX%\'')).rows[0].n, 0, 'nothing written')
    const [failed] = (await call(app, { method: 'GET', url: '/v1/imports?status=failed' })).json.items
    t.match((await call(app, { method: 'GET', url: `/v1/imports/${failed.id}` })).json, { kind: 'booth_presidents', errors: [{ code: 'database_unavailable' }] }, 'its record says why')
  })

  t.test('a long-poll wakes on another instance\'s write: LISTEN on a direct connection', async (t) => {
    const { app: other } = await buildTestApp(t, env, { databaseUrl: pooled })
    const listeners = await sessions('sangathan listener')
    t.equal(listeners.length, 2, 'one listener per instance, on the server itself')
    t.ok(listeners.every(l => /^LISTEN /.test(l.query)), 'each still on its LISTEN: no other client\'s statements ran on it')
    const head = (await call(app, { method: 'GET', url: '/v1/changes?after=latest' })).json.nextCursor
    const polling = call(app, { method: 'GET', url: `/v1/changes?after=${head}&wait=25` })
    const wrote = Date.now()
    const unit = await call(other, { method: 'POST', url: '/v1/units', payload: { level: 'state', code: 'PW', name: 'Woken' } })
    t.equal(unit.status, 201)
    const woken = await polling
    const waited = Date.now() - wrote
    t.equal(woken.status, 200)
    t.same(woken.json.items.map((c: { entityId: string }) => c.entityId), [unit.json.id], 'the other instance\'s change')
    // Without the NOTIFY it would wait for its own 10 s numbering, or the 5 s recheck.
    t.ok(waited < 4_000, `woken in ${waited} ms`)
  })

  t.test('no session state is left on the pooler\'s one server connection', async (t) => {
    const a = new pg.Client({ connectionString: pooled })
    const b = new pg.Client({ connectionString: pooled })
    await a.connect()
    await b.connect()
    t.teardown(async () => { await a.end(); await b.end() })
    const state = async (client: pg.Client) => (await client.query(`
      SELECT pg_backend_pid() AS pid, current_setting('lock_timeout') AS lock_timeout, current_setting('statement_timeout') AS statement_timeout,
             coalesce(current_setting('sangathan.scope_unit', true), '') AS scope,
             (SELECT count(*)::int FROM pg_prepared_statements) AS prepared,
             (SELECT count(*)::int FROM pg_listening_channels()) AS listening,
             (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()) AS advisory`)).rows[0]
    const before = await state(b)
    t.same({ ...before, pid: 0 }, { pid: 0, lock_timeout: '0', statement_timeout: '0', scope: '', prepared: 0, listening: 0, advisory: 0 },
      'after every request above: no named statement, no lock, no setting, no LISTEN')
    // The check sees what it should: what one client leaves in the session, the next one gets.
    await a.query('SET statement_timeout = 4321')
    const after = await state(b)
    t.equal(after.pid, before.pid, 'both clients were served by the one server connection')
    t.equal(after.statement_timeout, '4321ms', 'a session SET by one client shows to the other')
    await a.query('RESET statement_timeout')
  })
}
