import { sql } from 'drizzle-orm'
import { systemActor } from '../src/access/actor.js'
import { rows, type Database } from '../src/db/client.js'
import { beginWork, limitsOf } from '../src/db/transaction.js'
import { trainingReport } from '../src/camps/training.js'
import { type UnitRow } from '../src/units/queries.js'
import { streamCsv } from './coverage.js'
import { fmt, percentile, table, timeRepeated } from './stats.js'
import { benchApp } from './app.js'
import { loadedState } from './loaded.js'

/**
 * Training camps on a loaded state (npm run seed -- --preset up), each beside a naive SQL
 * baseline measured in the same run:
 *   (a) a state-wide camp's audience (every office-bearer at block level and above, every
 *       booth president) materialised by invite_audience(), in a transaction rolled back,
 *       beside a plain INSERT of camp_audience()'s people into a temporary table;
 *   (b, c) the training report, state by district and district by block, through HTTP,
 *       beside the SQL the endpoint runs and a GROUP BY over terms, people, invitations
 *       and attendance with no counters;
 *   (d) the state's untrained office-bearers as CSV, rows per second and the server's
 *       memory, beside the president gaps CSV in the same run.
 *
 *   DATABASE_URL=postgres://…/sangathan_bench npm run bench -- training [STATE_CODE]
 *   (BENCH_ONLY=a for the audience alone; BENCH_REPEAT=N requests per report, runs N/10)
 */
export async function benchTraining () {
  if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL to a PostgreSQL database loaded with npm run seed -- --preset up')
  const { app, base, headers } = await benchApp({ listen: true })
  const db = app.db
  const actor = systemActor()

  const { state, districts, district, districtBooths } = await loadedState(db, actor)
  const [held] = await rows<{ camps: number, invitations: number, attendance: number }>(db, sql`
    SELECT (SELECT count(*)::int FROM camps) AS camps, (SELECT count(*)::int FROM invitations) AS invitations, (SELECT count(*)::int FROM attendance) AS attendance`)
  console.log(`state ${state.codePath}: ${districts.length} districts; district ${district.codePath}: ${districtBooths} booths; ` +
    `${held.camps} camps, ${held.invitations} invitations, ${held.attendance} days of attendance loaded`)

  const N = Number(process.env.BENCH_REPEAT ?? 30)
  const heavy = Math.max(3, Math.ceil(N / 10))

  // (a) The audience. The camp is scheduled first, in a transaction of its own, as it is
  // through the API (POST /v1/camps, then POST /v1/camps/{id}/invitations): a camp row
  // written in the inserting transaction makes each foreign-key check of its invitations
  // lock a row of its own transaction, five times slower. Each run then materialises in a
  // transaction rolled back, and the camp is deleted at the end: the database is the same
  // before and after. Timed: the one statement, every variant with invite_audience's
  // work_mem.
  const AUDIENCE = [{ levels: ['state', 'district', 'block'] }, { levels: ['booth'], roles: ['president'] }]
  const [camp] = await rows<{ id: string }>(db, sql`
    INSERT INTO camps (unit_id, title, start_date, end_date, status, audience)
    VALUES (${state.id}, 'Bench: state-wide camp', india_today() + 30, india_today() + 31, 'planned', ${JSON.stringify(AUDIENCE)}::jsonb) RETURNING id`)
  // invite_audience's own work_mem (its SET clause), for every variant alike.
  const [{ workMem }] = await rows<{ workMem: string }>(db, sql`
    SELECT coalesce((SELECT o.option_value FROM pg_options_to_table(p.proconfig) o WHERE o.option_name = 'work_mem'), current_setting('work_mem')) AS "workMem"
      FROM pg_proc p WHERE p.proname = 'invite_audience'`)
  let invited = 0
  const inRolledBack = async (measure: (tx: Database, campId: string) => Promise<number>): Promise<number> => {
    let ms = 0
    await db.transaction(async (t) => {
      const tx = t as unknown as Database
      await beginWork(tx, actor, limitsOf(db).bulk)
      await tx.execute(sql`SELECT set_config('work_mem', ${workMem}, true)`)
      ms = await measure(tx, camp.id)
      t.rollback()
    }).catch((err) => { if (!/rollback/i.test(String(err?.message ?? err))) throw err })
    return ms
  }
  const timed = async (fn: () => Promise<unknown>) => {
    const start = process.hrtime.bigint()
    await fn()
    return Number(process.hrtime.bigint() - start) / 1e6
  }
  const inviteAudience = () => inRolledBack((tx, campId) => timed(async () => {
    const [r] = await rows<{ added: number }>(tx, sql`SELECT invite_audience(${campId}) AS added`)
    invited = r.added
  }))
  // The baseline: the same rows (every column an invitation stores) into a plain table,
  // no keys, no indexes, no triggers.
  const plainInsert = () => inRolledBack(async (tx, campId) => {
    await tx.execute(sql`CREATE TABLE bench_plain (LIKE invitations INCLUDING DEFAULTS)`)
    return timed(() => tx.execute(sql`
      INSERT INTO bench_plain (camp_id, person_id, source, qualified_by, post_level, post_wing, post_role)
      SELECT ${campId}::uuid, a.person_id, 'rule', a.qualified_by, a.post_level, a.post_wing, a.post_role FROM camp_audience(${campId}) a ORDER BY a.person_id`))
  })
  // Stricter still: only the people's ids, into a temporary table (no WAL); the planner
  // then drops the qualifying posts' aggregates from the rule's query.
  const idsInsert = () => inRolledBack(async (tx, campId) => {
    await tx.execute(sql`CREATE TEMP TABLE bench_audience (camp_id uuid, person_id uuid) ON COMMIT DROP`)
    return timed(() => tx.execute(sql`INSERT INTO bench_audience SELECT ${campId}::uuid, person_id FROM camp_audience(${campId})`))
  })
  // The floor: the same rows into a copy of invitations with its keys, indexes and
  // foreign keys but none of the rule's triggers: what the table costs.
  const floorInsert = () => inRolledBack(async (tx, campId) => {
    await tx.execute(sql`CREATE TABLE bench_floor (LIKE invitations INCLUDING DEFAULTS INCLUDING INDEXES)`)
    await tx.execute(sql`ALTER TABLE bench_floor ADD FOREIGN KEY (camp_id) REFERENCES camps (id), ADD FOREIGN KEY (person_id) REFERENCES people (id)`)
    return timed(() => tx.execute(sql`
      INSERT INTO bench_floor (camp_id, person_id, source, qualified_by, post_level, post_wing, post_role)
      SELECT ${campId}::uuid, a.person_id, 'rule', a.qualified_by, a.post_level, a.post_wing, a.post_role FROM camp_audience(${campId}) a ORDER BY a.person_id`))
  })
  // The floor less its foreign keys: what PostgreSQL's row-by-row reference checks cost.
  const indexesInsert = () => inRolledBack(async (tx, campId) => {
    await tx.execute(sql`CREATE TABLE bench_indexed (LIKE invitations INCLUDING DEFAULTS INCLUDING INDEXES)`)
    return timed(() => tx.execute(sql`
      INSERT INTO bench_indexed (camp_id, person_id, source, qualified_by, post_level, post_wing, post_role)
      SELECT ${campId}::uuid, a.person_id, 'rule', a.qualified_by, a.post_level, a.post_wing, a.post_role FROM camp_audience(${campId}) a ORDER BY a.person_id`))
  })
  // Where the time goes: the rule's query alone, its rows counted and dropped.
  const audienceOnly = () => inRolledBack((tx, campId) => timed(() => tx.execute(sql`SELECT count(*) FROM camp_audience(${campId})`)))
  // Interleaved, so that the machine's other work falls on each alike.
  const invite: number[] = []; const plain: number[] = []; const ids: number[] = []; const floor: number[] = []; const indexed: number[] = []; const query: number[] = []
  const variants = [[inviteAudience, invite], [plainInsert, plain], [idsInsert, ids], [floorInsert, floor], [indexesInsert, indexed], [audienceOnly, query]] as const
  for (const [fn] of variants) await fn()
  for (let i = 0; i < heavy; i++) {
    for (const [fn, out] of variants) out.push(await fn())
  }
  await db.execute(sql`DELETE FROM camps WHERE id = ${camp.id}`)
  const vs = (base: number[]) => (xs: number[]) => (percentile(xs, 50) / percentile(base, 50)).toFixed(2) + 'x'
  const vsPlain = vs(plain); const vsFloor = vs(floor)
  const row = (what: string, xs: number[], target = '') =>
    ({ what, p50: fmt(percentile(xs, 50)), max: fmt(Math.max(...xs)), 'vs plain INSERT': vsPlain(xs), 'vs floor': vsFloor(xs), target })
  console.log(`\n(a) state-wide camp audience (${JSON.stringify(AUDIENCE)}): ${invited} invitations; median of ${heavy}, rolled back, work_mem ${workMem}`)
  table([
    row('SELECT invite_audience(camp)', invite, '<= 2x plain INSERT'),
    row('plain INSERT: the same rows into a table with no keys, indexes or triggers', plain),
    row('(stricter: only the ids, into a temporary table)', ids),
    row('floor: the same rows into a copy of invitations with its keys, indexes and foreign keys, no triggers', floor),
    row('(the floor without its foreign keys: keys and indexes only)', indexed),
    row('(the rule\'s query alone: SELECT count(*) FROM camp_audience(camp))', query)
  ])

  // BENCH_ONLY=a: the audience alone (the reports and downloads take minutes more).
  if (process.env.BENCH_ONLY === 'a') {
    await app.close()
    return
  }

  // (b, c) The report. The floor: every counted office-bearer at home under each child,
  // and those with a day of attendance, straight from the base tables.
  const http = (path: string) => async () => {
    const res = await fetch(base + path, { headers })
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`)
    await res.arrayBuffer()
  }
  const naiveTraining = (parent: UnitRow) => async () => rows(db, sql`
    SELECT c.id, count(DISTINCT p.id) AS office_bearers,
           count(DISTINCT p.id) FILTER (WHERE EXISTS (SELECT 1 FROM invitations i JOIN attendance d ON d.invitation_id = i.id WHERE i.person_id = p.id)) AS trained
      FROM units c
      JOIN units b ON b.level = 'booth' AND b.code_path >= c.code_path || '/' AND b.code_path < c.code_path || '0'
      JOIN people p ON p.home_booth_id = b.id
      JOIN appointments a ON a.person_id = p.id AND a.end_date IS NULL AND a.role_code <> 'committee_member'
     WHERE c.parent_id = ${parent.id}
     GROUP BY c.id`)
  const params = { committee: false, limit: 500 }
  const cases = [
    { what: '(b) training: state by district', target: 'p50 < 50 ms', api: http(`/v1/units/${state.id}/training`), endpointSql: () => trainingReport(db, actor, state.id, params), naive: naiveTraining(state) },
    { what: '(c) training: district by block', target: 'p50 < 15 ms', api: http(`/v1/units/${district.id}/training`), endpointSql: () => trainingReport(db, actor, district.id, params), naive: naiveTraining(district) }
  ]
  const out = []
  for (const c of cases) {
    await c.api(); await c.endpointSql(); await c.naive() // warm caches and plans
    const api = await timeRepeated(N, c.api)
    const endpointSql = await timeRepeated(N, c.endpointSql)
    const naive = await timeRepeated(Math.max(3, Math.floor(N / 10)), c.naive)
    const apiP50 = percentile(api, 50)
    const sqlP50 = percentile(endpointSql, 50)
    out.push({
      question: c.what,
      'API p50': fmt(apiP50),
      'API p95': fmt(percentile(api, 95)),
      'SQL p50': fmt(sqlP50),
      'API - SQL': fmt(apiP50 - sqlP50),
      'naive p50': fmt(percentile(naive, 50)),
      'naive / API': (percentile(naive, 50) / apiP50).toFixed(1) + 'x',
      target: c.target
    })
  }
  console.log(`\n(b, c) training report: ${N} requests each (naive ${Math.max(3, Math.floor(N / 10))})`)
  table(out)

  // (d) The downloads, one after the other, each the median of a few; memory sampled as they stream.
  const csvRuns = async (path: string) => {
    const all = []
    for (let i = 0; i < heavy; i++) all.push(await streamCsv(app, base + path, headers))
    const median = [...all].sort((a, b) => a.ms - b.ms)[Math.floor(all.length / 2)]
    return { ...median, rssPeak: Math.max(...all.map(r => r.rssPeak)), heapGrowth: Math.max(...all.map(r => r.heapGrowth)) }
  }
  const untrained = await csvRuns(`/v1/units/${state.id}/untrained?format=csv`)
  const gaps = await csvRuns(`/v1/units/${state.id}/gaps?format=csv`)
  const rate = (r: { rows: number, ms: number }) => Math.round(r.rows / (r.ms / 1000))
  console.log(`\n(d) full CSVs of ${state.codePath}, median of ${heavy} each`)
  table([untrained, gaps].map((r, i) => ({
    csv: i === 0 ? 'untrained office-bearers' : 'president gaps (baseline)',
    rows: r.rows,
    MB: (r.bytes / 1e6).toFixed(1),
    time: fmt(r.ms),
    'rows/s': rate(r),
    'RSS start -> peak': `${r.rssStart} -> ${r.rssPeak} MB`,
    'heap peak': `+${r.heapGrowth} MB`,
    target: i === 0 ? `>= gaps rows/s (${(rate(untrained) / rate(gaps)).toFixed(2)}x)` : ''
  })))
  await app.close()
}
