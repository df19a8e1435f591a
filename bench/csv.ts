import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { sql } from 'drizzle-orm'
import pg from 'pg'
import { to as copyTo } from 'pg-copy-streams'
import { PgDialect } from 'drizzle-orm/pg-core'
import { systemActor } from '../src/access/actor.js'
import { campInScope, invitationsList } from '../src/camps/queries.js'
import { clusterGapsList } from '../src/clusters/queries.js'
import { rows } from '../src/db/client.js'
import type { KeysetList } from '../src/db/cursor.js'
import { nonCompliantList } from '../src/social-media/compliance.js'
import { streamCsv } from './coverage.js'
import { table } from './stats.js'
import { benchApp } from './app.js'
import { loadedState } from './loaded.js'

/**
 * The CSV downloads against PostgreSQL's own COPY of the same rows (issue 18: "CSV at the
 * speed of the database", at least a third of COPY's rows per second), on a loaded state
 * (npm run seed -- --preset up): each download through HTTP, formula guarding, phone
 * formatting and masking included, beside `COPY (the same rows, the same order) TO STDOUT
 * (FORMAT csv)` read by a client in this process, in the same run, alternating, median of
 * BENCH_ROUNDS (3). The COPY is the floor: the rows as the database writes them, with
 * none of the service's work; for the first four a plain SQL of the same rows written out
 * here, for the rest the list's own query (its KeysetList, parameters inlined). The
 * server's memory is sampled as each download streams.
 *
 *   DATABASE_URL=postgres://…/sangathan_bench npm run bench -- csv [STATE_CODE]
 */
export async function benchCsv () {
  const url = process.env.DATABASE_URL
  if (!url) throw new Error('set DATABASE_URL to a PostgreSQL database loaded with npm run seed -- --preset up')
  const { app, base, headers } = await benchApp({ listen: true })
  const db = app.db
  const actor = systemActor()
  const { state, largest: district } = await loadedState(db, actor)
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3)

  // The literal values of the COPY statements (COPY takes no parameters): code paths are
  // letters, digits and slashes.
  const lit = (s: string) => `'${s.replace(/'/g, "''")}'`
  const under = (path: string, col = 'u.code_path') => `${col} >= ${lit(path + '/')} AND ${col} < ${lit(path + '0')}`
  const gapsSql = (where: string) => `
    SELECT * FROM (
      SELECT u.id, u.code, u.name, u.code_path, u.level, u.ac_number, u.ps_number,
             (SELECT count(*)::int FROM appointments a WHERE a.unit_id = u.id AND a.wing_code = 'main' AND a.role_code = 'president' AND a.end_date IS NULL) AS holders,
             1 AS seats, 'president' AS role, 'main' AS wing
        FROM units u WHERE u.level = 'booth' ${where} ORDER BY u.code_path) g
     WHERE g.holders < g.seats`
  const handles = `
    (SELECT h.handle FROM person_handles h WHERE h.person_id = p.id AND h.platform_code = 'twitter'),
    (SELECT h.handle FROM person_handles h WHERE h.person_id = p.id AND h.platform_code = 'facebook'),
    (SELECT h.handle FROM person_handles h WHERE h.person_id = p.id AND h.platform_code = 'instagram'),
    (SELECT h.handle FROM person_handles h WHERE h.person_id = p.id AND h.platform_code = 'youtube')`
  const cases = [
    { what: `president gaps of ${state.codePath}`, path: `/v1/units/${state.id}/gaps?format=csv`, copy: gapsSql(`AND ${under(state.codePath)}`) },
    { what: 'president gaps of the country', path: '/v1/gaps?format=csv', copy: gapsSql('') },
    {
      what: `office-bearers of ${district.codePath} (subtree)`,
      path: `/v1/units/${district.id}/office-bearers?subtree=true&format=csv`,
      copy: `
        SELECT u.code_path, a.role_code, p.name, p.phone, ${handles}, a.start_date, a.person_id, a.unit_id, a.id, a.wing_code
          FROM appointments a JOIN units u ON u.id = a.unit_id JOIN people p ON p.id = a.person_id
         WHERE a.end_date IS NULL AND (u.code_path = ${lit(district.codePath)} OR ${under(district.codePath)})
         ORDER BY u.code_path, a.wing_code, a.role_code, a.id`
    },
    {
      what: `people of ${district.codePath}`,
      path: `/v1/people?unitId=${district.id}&format=csv`,
      copy: `
        SELECT p.name, u.code_path, p.phone, p.voter_id, p.gender, ${handles}, p.id, p.home_booth_id
          FROM people p JOIN units u ON u.id = p.home_booth_id
         WHERE ${under(district.codePath)}
         ORDER BY p.name, p.id`
    }
  ]
  // The list's own query, for COPY (which takes no parameters: inlined).
  const dialect = new PgDialect()
  const ownQuery = (list: KeysetList<unknown, unknown>) => dialect.sqlToQuery(list.query(undefined, undefined).inlineParams()).sql
  const [bigCamp] = await rows<{ id: string, n: number }>(db, sql`SELECT camp_id AS id, count(*)::int AS n FROM invitations GROUP BY camp_id ORDER BY count(*) DESC LIMIT 1`)
  if (bigCamp) {
    const camp = await campInScope(db, actor, bigCamp.id)
    cases.push({ what: 'invitations of the largest camp', path: `/v1/camps/${bigCamp.id}/invitations?format=csv`, copy: ownQuery(invitationsList(actor, camp, {}) as KeysetList<unknown, unknown>) })
  }
  cases.push({
    what: `office-bearers missing a handle, ${district.codePath}`,
    path: `/v1/units/${district.id}/social-media/non-compliant?format=csv`,
    copy: ownQuery(nonCompliantList(actor, district, { wing: 'all' }) as KeysetList<unknown, unknown>)
  })
  const [sector] = await rows<{ code: string, seats: number | null }>(db, sql`
    SELECT code, seats FROM roles WHERE wing_code = 'main' AND cluster_kind = 'sector' ORDER BY NOT required, sort_order, code LIMIT 1`)
  if (sector) {
    cases.push({
      what: `sectors without an in-charge, ${state.codePath}`,
      path: `/v1/units/${state.id}/cluster-gaps?kind=sector&format=csv`,
      copy: ownQuery(clusterGapsList(state.codePath, { kind: 'sector', wing: 'main', role: sector.code, seats: sector.seats ?? 1 }) as KeysetList<unknown, unknown>)
    })
  }

  const copyClient = new pg.Client({ connectionString: url, options: '-c jit=off' })
  await copyClient.connect()
  const copy = async (query: string) => {
    const started = process.hrtime.bigint()
    let bytes = 0
    let newlines = 0
    await pipeline(copyClient.query(copyTo(`COPY (${query}) TO STDOUT WITH (FORMAT csv, HEADER)`)), new Writable({
      write (chunk: Buffer, _enc, done) {
        bytes += chunk.length
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++
        done()
      }
    }))
    return { rows: newlines - 1, bytes, ms: Number(process.hrtime.bigint() - started) / 1e6 }
  }

  const out = []
  for (const c of cases) {
    await copy(c.copy); await streamCsv(app, base + c.path, headers) // warm caches and plans
    const apis = []; const copies = []
    for (let r = 0; r < rounds; r++) {
      apis.push(await streamCsv(app, base + c.path, headers))
      copies.push(await copy(c.copy))
    }
    const median = <T extends { ms: number }>(xs: T[]) => [...xs].sort((a, b) => a.ms - b.ms)[Math.floor(xs.length / 2)]
    const api = median(apis); const floor = median(copies)
    const rate = (x: { rows: number, ms: number }) => Math.round(x.rows / (x.ms / 1000))
    if (api.rows !== floor.rows) console.log(`  ! ${c.what}: the API wrote ${api.rows} rows, COPY ${floor.rows}`)
    out.push({
      download: c.what,
      rows: api.rows,
      'API time': `${api.ms.toFixed(0)} ms`,
      'API rows/s': rate(api),
      'COPY time': `${floor.ms.toFixed(0)} ms`,
      'COPY rows/s': rate(floor),
      'API / COPY': (rate(api) / rate(floor)).toFixed(2),
      'server RSS start -> peak': `${api.rssStart} -> ${Math.max(...apis.map(a => a.rssPeak))} MB`,
      target: '>= 0.33'
    })
  }
  console.log(`\nCSV downloads against COPY of the same rows (rows/s; median of ${rounds}, alternating)`)
  table(out)
  await copyClient.end()
  await app.close()
}
