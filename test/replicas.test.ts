import { execFile } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import t from 'tap'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/client.js'
import { ADMIN_KEY, buildTestApp, call, mintKey, usingPostgres } from './helpers/app.js'

/**
 * Read replicas against a real streaming standby: a throwaway primary made by initdb and a
 * standby made from it by pg_basebackup -R, on free ports in a temporary folder, run as the
 * postgres user (the shared server on 5432 is never touched). Only with DATABASE_URL: the
 * PGlite run has no PostgreSQL binaries to count on, and replicas are refused there anyway.
 */

const run = promisify(execFile)
const BIN = '/usr/lib/postgresql/15/bin'

t.test('replicas are refused on PGlite, at start-up', async (t) => {
  t.throws(() => loadConfig({ DATABASE_REPLICA_URLS: 'postgres://reader:secret@10.0.0.2:5432/sangathan' }),
    /DATABASE_REPLICA_URLS: read replicas are PostgreSQL only/)
  t.throws(() => loadConfig({ DATABASE_URL: 'postgres://a@127.0.0.1/x', DATABASE_REPLICA_URLS: 'http://10.0.0.2/x' }), /not a postgres:\/\/ URL/)
  t.same(loadConfig({ DATABASE_URL: 'postgres://a@127.0.0.1/x', DATABASE_REPLICA_URLS: ' postgres://b@10.0.0.2/x , postgresql://c@10.0.0.3/x' }).DATABASE_REPLICA_URLS,
    ['postgres://b@10.0.0.2/x', 'postgresql://c@10.0.0.3/x'])
  await t.rejects(openDatabase({ replicas: { urls: ['postgres://b@10.0.0.2/x'], maxLagMs: 1000, checkMs: 100 } }), /PostgreSQL only/)
})

const why = !usingPostgres
  ? 'needs PostgreSQL (DATABASE_URL): replicas are refused on PGlite'
  : !existsSync(join(BIN, 'pg_basebackup'))
      ? `needs PostgreSQL 15's server binaries in ${BIN}`
      : process.getuid?.() !== 0 ? 'needs root, to run the throwaway clusters as the postgres user' : false

async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** A PostgreSQL binary as the postgres user (the server refuses to run as root). */
const asPostgres = (bin: string, ...args: string[]) => run('runuser', ['-u', 'postgres', '--', join(BIN, bin), ...args])

/** Polls until `check` returns something truthy; no fixed sleeps, but a deadline. */
async function until<T> (what: string, check: () => Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check().catch(() => undefined)
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

async function query<T extends pg.QueryResultRow> (url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(text)).rows
  } finally {
    await client.end()
  }
}

t.test('a streaming replica', { skip: why }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sangathan-replicas-'))
  const { stdout: ids } = await run('id', ['-u', 'postgres'])
  const { stdout: gids } = await run('id', ['-g', 'postgres'])
  chownSync(dir, Number(ids), Number(gids))
  const primaryDir = join(dir, 'primary')
  const standbyDir = join(dir, 'standby')
  // The standby's processes while a test has them stopped (SIGSTOP).
  let frozen: number[] = []
  // Registered first, so that whatever fails below, both clusters stop and the folder goes.
  t.teardown(async () => {
    for (const pid of frozen) try { process.kill(pid, 'SIGCONT') } catch {}
    for (const data of [standbyDir, primaryDir]) {
      if (existsSync(join(data, 'postmaster.pid'))) await asPostgres('pg_ctl', '-D', data, '-m', 'immediate', 'stop').catch(() => {})
    }
    rmSync(dir, { recursive: true, force: true })
  })
  const [primaryPort, standbyPort] = [await freePort(), await freePort()]
  const settings = (port: number) => [
    '-c', `port=${port}`, '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`,
    // A throwaway: durability costs time and buys nothing.
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'shared_buffers=32MB'
  ].join(' ')

  await asPostgres('initdb', '-D', primaryDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '-N')
  await asPostgres('pg_ctl', '-D', primaryDir, '-l', join(dir, 'primary.log'), '-o', settings(primaryPort), '-w', 'start')
  await asPostgres('pg_basebackup', '-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', standbyDir, '-R', '-X', 'stream', '-c', 'fast')
  await asPostgres('pg_ctl', '-D', standbyDir, '-l', join(dir, 'standby.log'), '-o', settings(standbyPort), '-w', 'start')
  const server = (port: number, db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`
  await until('the standby to stream', async () =>
    (await query<{ n: number }>(server(primaryPort), "SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'"))[0].n === 1)

  await query(server(primaryPort), 'CREATE DATABASE sangathan')
  const primaryUrl = server(primaryPort, 'sangathan')
  const replicaUrl = server(standbyPort, 'sangathan')
  // The throwaway primary is its own direct URL: when the suite runs behind the CI's pooler,
  // the helper would otherwise point DATABASE_DIRECT_URL at the shared server.
  const { app, logs } = await buildTestApp(t, { DATABASE_REPLICA_URLS: replicaUrl, REPLICA_MAX_LAG_MS: '1500', REPLICA_CHECK_MS: '100', DATABASE_DIRECT_URL: primaryUrl }, { databaseUrl: primaryUrl })
  const health = async () => (await call(app, { method: 'GET', url: '/health/ready' })).json
  const replicaIs = (state: string, also: (r: any) => boolean = () => true) =>
    until(`the replica to be ${state}`, async () => { const r = (await health()).replicas[0]; return r.state === state && also(r) ? r : undefined })

  const reader = await mintKey(app, 'admin')
  const codes = async (key: string, headers: Record<string, string> = {}) => {
    const res = await call(app, { method: 'GET', url: '/v1/units?level=state', headers }, key)
    if (res.status !== 200) throw new Error(`GET /v1/units: ${res.status} ${res.body}`)
    return res.json.items.map((u: { code: string }) => u.code).sort()
  }
  const createState = async (code: string) => {
    const res = await call(app, { method: 'POST', url: '/v1/units', payload: { level: 'state', code, name: code } })
    if (res.status !== 201) throw new Error(`POST /v1/units: ${res.status} ${res.body}`)
  }

  t.test('/health/ready names each replica by host and port, never its URL', async (t) => {
    const r = await replicaIs('ok', r => r.lagBytes === 0)
    t.has(r, { host: '127.0.0.1', port: standbyPort, state: 'ok', lagBytes: 0, lagMs: 0 }, 'caught up: no bytes and no time behind')
    t.notMatch(JSON.stringify(await health()), /postgres:\/\//)
  })

  t.test('list reads go to the replica; a key reads its own writes; Consistency: strong reads the primary', async (t) => {
    await createState('S1')
    await until('the replica to have S1', async () => (await codes(reader)).includes('S1'))
    // The replica stops replaying: what is written from now on is on the primary alone.
    await query(replicaUrl, 'SELECT pg_wal_replay_pause()')
    await until('replay to pause', async () => (await query<{ s: string }>(replicaUrl, 'SELECT pg_get_wal_replay_pause_state() AS s'))[0].s === 'paused')
    await createState('S2')

    t.same(await codes(reader), ['S1'], 'another key reads the replica, which has not replayed S2')
    t.same(await codes(ADMIN_KEY), ['S1', 'S2'], 'the key that wrote S2 reads the primary until the replica has it')
    t.same(await codes(reader, { consistency: 'strong' }), ['S1', 'S2'], 'Consistency: strong reads the primary')
    const [{ n }] = await query<{ n: number }>(replicaUrl, "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'sangathan-replica' AND query ILIKE '%from \"units\"%'")
    t.ok(n > 0, 'the replica\'s own sessions show the unit list run there')

    t.test('a replica behind more than the bound is not read from, and /health/ready says by how much', async (t) => {
      const lagging = await replicaIs('lagging')
      t.ok(lagging.lagBytes > 0, `${lagging.lagBytes} bytes behind`)
      t.ok(lagging.lagMs > 1500, `${lagging.lagMs} ms behind`)
      t.equal((await call(app, { method: 'GET', url: '/health/ready' })).status, 200, 'the service is ready: the primary answers')
      t.same(await codes(reader), ['S1', 'S2'], 'the reader now reads the primary')

      await query(replicaUrl, 'SELECT pg_wal_replay_resume()')
      await replicaIs('ok', r => r.lagBytes === 0)
      t.same(await codes(reader), ['S1', 'S2'], 'caught up, it is read from again')
    })
  })

  t.test('a replica that stops answering is taken out of use; reads waiting on it finish on the primary', async (t) => {
    await replicaIs('ok')
    // The standby's postmaster and its children, stopped where they stand: connections are
    // accepted by the kernel and never answered, as with a frozen host.
    const postmaster = Number(readFileSync(join(standbyDir, 'postmaster.pid'), 'utf8').split('\n')[0])
    const { stdout } = await run('pgrep', ['-P', String(postmaster)])
    frozen = [postmaster, ...stdout.split('\n').filter(Boolean).map(Number)]
    for (const pid of frozen) process.kill(pid, 'SIGSTOP')
    const started = Date.now()
    const reads = await Promise.all(Array.from({ length: 8 }, () => codes(reader)))
    t.ok(reads.every(r => r.includes('S2')), `8 reads answered, in ${Date.now() - started} ms`)
    await replicaIs('down')
    for (const pid of frozen) process.kill(pid, 'SIGCONT')
    frozen = []
    await replicaIs('ok')
    t.same(await codes(reader), ['S1', 'S2'], 'answering again, it is read from again')
  })

  t.test('a replica killed under load fails no request; then the primary serves the reads', async (t) => {
    await replicaIs('ok')
    // 32 callers reading without pause; the replica is killed once 200 reads are done, and
    // they go on for 200 more after the kill returns.
    const statuses: number[] = []
    let stopAt = Infinity
    const caller = async () => {
      while (statuses.length < stopAt) {
        const res = await app.inject({ method: 'GET', url: '/v1/units?level=state', headers: { authorization: `Bearer ${reader}` } })
        statuses.push(res.statusCode)
      }
    }
    const callers = Array.from({ length: 32 }, caller)
    await until('200 reads', async () => statuses.length >= 200)
    await asPostgres('pg_ctl', '-D', standbyDir, '-m', 'immediate', 'stop')
    stopAt = statuses.length + 200
    await Promise.all(callers)
    t.same([...new Set(statuses)], [200], `every one of ${statuses.length} reads answered 200`)
    t.ok(logs.some(l => l.msg === 'read replica out of use: its reads go to the primary'), 'the replica was taken out of use')
    const down = await replicaIs('down')
    t.has(down, { host: '127.0.0.1', port: standbyPort, state: 'down', lagBytes: null, lagMs: null })
    t.equal((await call(app, { method: 'GET', url: '/health/ready' })).status, 200, 'ready while the primary answers')
    await createState('S3')
    t.same(await codes(reader), ['S1', 'S2', 'S3'], 'reads go to the primary')
  })
})
