import { sql } from 'drizzle-orm'
import pg from 'pg'
import { rows } from '../src/db/client.js'
import { benchApp } from './app.js'
import { adminQuery } from './postgres.js'
import { fmt, percentile, table } from './stats.js'

/**
 * Writes at election time, on a copy of a loaded state (npm run seed -- --preset up): booth
 * presidents appointed through the API as field teams do when lists close. For a booth
 * with no president: a new person at home there, an active membership, the appointment,
 * three POSTs, each its own transaction with the own-booth rule, the counters, the audit
 * trail and the change feed behind it. Beside it, in the same run and on the same
 * database, the same three rows per booth written by plain SQL (one transaction per
 * booth, the same triggers, no HTTP, no key, no audit row, no validation) over as many
 * connections. The two alternate, BENCH_ROUNDS times (2), BENCH_SECONDS each (15), with
 * BENCH_WRITERS writers (16). Also measured: WAL written and audit trail grown per booth, the figures
 * docs/scaling.md sizes a year by.
 *
 *   DATABASE_URL=postgres://…/sangathan_bench npm run bench -- writes
 *
 * The source database is copied (CREATE DATABASE … TEMPLATE, so nothing may be connected
 * to it) and the copy dropped at the end.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15)
const WRITERS = Number(process.env.BENCH_WRITERS ?? 16)
const COPY_NAME = 'sangathan_bench_writes'

interface Round { booths: number, ms: number, latencies: number[], walBytes: number, auditBytes: number, auditRows: number }

export async function benchWrites () {
  const source = process.env.DATABASE_URL
  if (!source) throw new Error('set DATABASE_URL to a PostgreSQL database loaded with npm run seed -- --preset up')
  const sourceName = decodeURIComponent(new URL(source).pathname.slice(1))
  const copyUrl = new URL(source)
  copyUrl.pathname = `/${COPY_NAME}`
  await adminQuery(source, `DROP DATABASE IF EXISTS ${COPY_NAME} WITH (FORCE)`)
  const copying = Date.now()
  await adminQuery(source, `CREATE DATABASE ${COPY_NAME} TEMPLATE "${sourceName.replace(/"/g, '""')}"`)
  console.log(`copied ${sourceName} in ${((Date.now() - copying) / 1000).toFixed(1)} s`)
  try {
    await measure(copyUrl.toString())
  } finally {
    await adminQuery(source, `DROP DATABASE IF EXISTS ${COPY_NAME} WITH (FORCE)`)
  }
}

async function measure (url: string) {
  const { app, base, headers } = await benchApp({ listen: true, url })
  const plain = new pg.Pool({ connectionString: url, max: WRITERS })
  try {
    // Booths with no president, shuffled (so the writers spread over the state and its
    // counters), each round taking its own.
    const vacant = (await rows<{ id: string }>(app.db, sql`
      SELECT u.id FROM units u
       WHERE u.level = 'booth'
         AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.unit_id = u.id AND a.role_code = 'president' AND a.end_date IS NULL)
       ORDER BY md5(u.id::text)`)).map(r => r.id)
    console.log(`${vacant.length} booths without a president; ${WRITERS} writers, ${SECONDS} s a round, ${ROUNDS} rounds each`)
    let next = 0
    const take = () => {
      if (next >= vacant.length) throw new Error('out of vacant booths: fewer rounds or seconds')
      return vacant[next++]
    }
    let serial = 0
    const viaApi = async (booth: string) => {
      const n = ++serial
      const post = async (path: string, body: unknown) => {
        const res = await fetch(base + path, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) })
        if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`)
        return await res.json() as { id: string }
      }
      const person = await post('/v1/people', { name: `Bench President ${n}`, homeBoothId: booth })
      await post('/v1/memberships', { personId: person.id, boothId: booth, grade: 'active' })
      await post('/v1/appointments', { personId: person.id, unitId: booth, role: 'president' })
    }
    const viaSql = async (booth: string) => {
      const n = ++serial
      const client = await plain.connect()
      try {
        await client.query('BEGIN')
        const { rows: [person] } = await client.query<{ id: string }>('INSERT INTO people (name, home_booth_id) VALUES ($1, $2) RETURNING id', [`Bench SQL President ${n}`, booth])
        await client.query("INSERT INTO memberships (person_id, booth_id, grade, joined_on) VALUES ($1, $2, 'active', india_today())", [person.id, booth])
        await client.query("INSERT INTO appointments (person_id, unit_id, role_code, start_date) VALUES ($1, $2, 'president', india_today())", [person.id, booth])
        await client.query('COMMIT')
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {})
        throw err
      } finally {
        client.release()
      }
    }
    const sizes = async () => {
      const [r] = await rows<{ lsn: string, audit: number, audit_rows: number }>(app.db, sql`
        SELECT pg_current_wal_insert_lsn()::text AS lsn, pg_total_relation_size('audit_log')::bigint AS audit, (SELECT count(*) FROM audit_log)::bigint AS audit_rows`)
      return { lsn: r.lsn, audit: Number(r.audit), audit_rows: Number(r.audit_rows) }
    }
    const walBetween = async (from: string, to: string) =>
      Number((await rows<{ bytes: number }>(app.db, sql`SELECT pg_wal_lsn_diff(${to}::pg_lsn, ${from}::pg_lsn)::bigint AS bytes`))[0].bytes)
    const round = async (write: (booth: string) => Promise<void>): Promise<Round> => {
      const before = await sizes()
      const latencies: number[] = []
      const began = Date.now()
      const until = began + SECONDS * 1000
      let booths = 0
      await Promise.all(Array.from({ length: WRITERS }, async () => {
        while (Date.now() < until) {
          const start = process.hrtime.bigint()
          await write(take())
          latencies.push(Number(process.hrtime.bigint() - start) / 1e6)
          booths++
        }
      }))
      const ms = Date.now() - began
      const after = await sizes()
      return { booths, ms, latencies, walBytes: await walBetween(before.lsn, after.lsn), auditBytes: after.audit - before.audit, auditRows: after.audit_rows - before.audit_rows }
    }
    // A short warm-up each, then interleaved rounds: the machine's other work falls on both.
    await round(viaApi)
    await round(viaSql)
    const api: Round[] = []
    const direct: Round[] = []
    for (let i = 0; i < ROUNDS; i++) {
      api.push(await round(viaApi))
      direct.push(await round(viaSql))
    }
    const perSecond = (r: Round) => r.booths / (r.ms / 1000)
    const median = (xs: number[]) => percentile(xs, 50)
    const summary = (what: string, rs: Round[]) => {
      const booths = rs.reduce((s, r) => s + r.booths, 0)
      const latencies = rs.flatMap(r => r.latencies)
      return {
        what,
        'booths/s (median)': median(rs.map(perSecond)).toFixed(0),
        'rows/s': (median(rs.map(perSecond)) * 3).toFixed(0),
        'p50 a booth': fmt(percentile(latencies, 50)),
        'p99 a booth': fmt(percentile(latencies, 99)),
        'WAL a booth': `${(rs.reduce((s, r) => s + r.walBytes, 0) / booths / 1024).toFixed(1)} kB`,
        'audit a booth': `${(rs.reduce((s, r) => s + r.auditBytes, 0) / booths).toFixed(0)} B, ${(rs.reduce((s, r) => s + r.auditRows, 0) / booths).toFixed(1)} rows`
      }
    }
    const a = summary('API: POST person, membership, appointment', api)
    const d = summary('plain SQL: the same three INSERTs, one transaction (baseline)', direct)
    console.log(`\nbooth presidents appointed, ${WRITERS} writers; rounds of ${SECONDS} s, median of ${ROUNDS}`)
    table([a, d])
    console.log(`API / plain SQL: ${(median(api.map(perSecond)) / median(direct.map(perSecond))).toFixed(2)}x the booths per second`)
  } finally {
    await plain.end()
    await app.close()
  }
}
