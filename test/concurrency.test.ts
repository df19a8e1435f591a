import { sql } from 'drizzle-orm'
import t from 'tap'
import { rows } from '../src/db/client.js'
import pg from 'pg'
import { buildTestApp, call, usingPostgres } from './helpers/app.js'
import { counterDrift } from './helpers/counters.js'
import { activeMember } from './helpers/people.js'
import { createChain, createUnit } from './helpers/tree.js'

/**
 * Many clients at once, through the API, on the same few people and posts: appoint,
 * lapse (with and without ending terms), transfer, re-enrol, change grade and home
 * booth, end terms. Afterwards an independent SQL query must find no office-bearer
 * outside the rule and no post over its seats. PGlite has one connection and
 * serialises everything, so this runs against PostgreSQL only.
 */
t.test('the own-booth rule and seat limits hold under concurrent requests', { skip: !usingPostgres && 'PostgreSQL only' }, async (t) => {
  const { app } = await buildTestApp(t, { DB_POOL_MAX: '12', RATE_LIMIT_MAX: '1000000' })
  const tree = await createChain(app, 'CONC')
  const booths = [tree.booth]
  for (let i = 2; i <= 4; i++) booths.push(await createUnit(app, { level: 'booth', parentId: tree.ward.id, code: `PS${i}`, name: `Booth ${i}` }))
  const people: Array<{ id: string }> = []
  for (let i = 0; i < 12; i++) people.push((await activeMember(app, booths[i % booths.length].id, `Worker ${i}`)).person)

  const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]
  const statuses: Record<string, number> = {}
  const serverErrors: string[] = []
  let operations = 0
  const note = (op: string, status: number, body: string) => {
    statuses[`${op} ${status}`] = (statuses[`${op} ${status}`] ?? 0) + 1
    if (status >= 500) serverErrors.push(`${op} ${status} ${body}`)
  }

  const ops: Record<string, () => Promise<void>> = {
    async appointPresident () {
      const p = pick(people)
      const page = await call(app, { method: 'GET', url: `/v1/people/${p.id}` })
      const res = await call(app, { method: 'POST', url: '/v1/appointments', payload: { personId: p.id, unitId: page.json.homeBoothId, role: 'president' } })
      note('appoint-president', res.status, res.body)
    },
    // The frontal organisations' posts race for the same booths and people.
    async appointWingPresident () {
      const p = pick(people)
      const page = await call(app, { method: 'GET', url: `/v1/people/${p.id}` })
      const res = await call(app, { method: 'POST', url: '/v1/appointments', payload: { personId: p.id, unitId: page.json.homeBoothId, wing: pick(['youth', 'women']), role: 'president' } })
      note('appoint-wing-president', res.status, res.body)
    },
    async appointWardPost () {
      const res = await call(app, { method: 'POST', url: '/v1/appointments', payload: { personId: pick(people).id, unitId: tree.ward.id, role: pick(['treasurer', 'secretary', 'president']) } })
      note('appoint-ward', res.status, res.body)
    },
    async lapse () {
      const p = pick(people)
      const m = await call(app, { method: 'GET', url: `/v1/memberships?personId=${p.id}&status=current` })
      if (!m.json.items[0]) return
      const res = await call(app, { method: 'PATCH', url: `/v1/memberships/${m.json.items[0].id}`, payload: { status: 'lapsed', endAppointments: Math.random() < 0.5 } })
      note('lapse', res.status, res.body)
    },
    async enrol () {
      const p = pick(people)
      const page = await call(app, { method: 'GET', url: `/v1/people/${p.id}` })
      const res = await call(app, { method: 'POST', url: '/v1/memberships', payload: { personId: p.id, boothId: Math.random() < 0.8 ? page.json.homeBoothId : pick(booths).id, grade: 'active' } })
      note('enrol', res.status, res.body)
    },
    async transfer () {
      const p = pick(people)
      const m = await call(app, { method: 'GET', url: `/v1/memberships?personId=${p.id}&status=current` })
      if (!m.json.items[0]) return
      const res = await call(app, { method: 'PATCH', url: `/v1/memberships/${m.json.items[0].id}`, payload: { boothId: pick(booths).id } })
      note('transfer', res.status, res.body)
    },
    async regrade () {
      const p = pick(people)
      const m = await call(app, { method: 'GET', url: `/v1/memberships?personId=${p.id}&status=current` })
      if (!m.json.items[0]) return
      const res = await call(app, { method: 'PATCH', url: `/v1/memberships/${m.json.items[0].id}`, payload: { grade: pick(['primary', 'active']) } })
      note('regrade', res.status, res.body)
    },
    async moveHome () {
      const res = await call(app, { method: 'PATCH', url: `/v1/people/${pick(people).id}`, payload: { homeBoothId: pick(booths).id, moveMembership: Math.random() < 0.5 } })
      note('move-home', res.status, res.body)
    },
    // Handles race with terms: the social media duty's counters follow both.
    async setHandles () {
      const platform = pick(['twitter', 'youtube', 'facebook', 'instagram'])
      const value = Math.random() < 0.3 ? null : `@worker_${pick(['a', 'b', 'c', 'd', 'e', 'f'])}${Math.floor(Math.random() * 8)}`
      const res = await call(app, { method: 'PATCH', url: `/v1/people/${pick(people).id}`, payload: { handles: { [platform]: value } } })
      note('set-handles', res.status, res.body)
    },
    async endTerm () {
      const list = await call(app, { method: 'GET', url: `/v1/appointments?personId=${pick(people).id}&current=true` })
      const a = list.json.items[0]
      if (!a) return
      const today = new Date(Date.now() + 5.5 * 3600_000).toISOString().slice(0, 10)
      const res = await call(app, { method: 'PATCH', url: `/v1/appointments/${a.id}`, payload: { endDate: today, endReason: 'rotation' } })
      note('end-term', res.status, res.body)
    }
  }

  const CLIENTS = 16
  const DURATION_MS = 8_000
  const MAX_OPS_PER_CLIENT = 400
  const started = Date.now()
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    for (let i = 0; i < MAX_OPS_PER_CLIENT && Date.now() - started < DURATION_MS; i++) {
      await pick(Object.values(ops))()
      operations++
    }
  }))
  const elapsed = Date.now() - started
  t.comment(`${CLIENTS} clients, ${operations} operations in ${elapsed} ms: ${JSON.stringify(statuses)}`)

  t.same(serverErrors, [], 'no request failed with a 5xx')
  const succeeded = (prefix: string) => Object.entries(statuses).filter(([k]) => k.startsWith(prefix) && / 20[01]$/.test(k)).reduce((n, [, v]) => n + v, 0)
  const refused = Object.entries(statuses).filter(([k]) => / 409$/.test(k)).reduce((n, [, v]) => n + v, 0)
  t.ok(succeeded('appoint') > 5, `appointments were made (${succeeded('appoint')})`)
  t.ok(succeeded('lapse') > 3, `memberships lapsed (${succeeded('lapse')})`)
  t.ok(refused > 10, `requests were refused for the rule (${refused})`)

  const violations = await rows<{ id: string }>(app.db, sql`
    SELECT a.id FROM appointments a JOIN people p ON p.id = a.person_id
     WHERE (a.end_date IS NULL OR a.end_date > (now() AT TIME ZONE 'Asia/Kolkata')::date)
       AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id AND m.status = 'current'
                          AND m.grade = 'active' AND m.booth_id = p.home_booth_id)`)
  t.same(violations, [], 'every open term is held by an active member at their home booth')
  const crowded = await rows<{ unit_id: string, role_code: string, n: number }>(app.db, sql`
    SELECT a.unit_id, a.wing_code, a.role_code, count(*)::int AS n FROM appointments a JOIN roles r ON r.wing_code = a.wing_code AND r.code = a.role_code
     WHERE (a.end_date IS NULL OR a.end_date > (now() AT TIME ZONE 'Asia/Kolkata')::date) AND r.seats IS NOT NULL
     GROUP BY a.unit_id, a.wing_code, a.role_code, r.seats HAVING count(*) > r.seats`)
  t.same(crowded, [], 'no post holds more terms than seats (no booth with two presidents)')
  const doubleMembers = await rows<{ person_id: string }>(app.db, sql`
    SELECT person_id FROM memberships WHERE status = 'current' GROUP BY person_id HAVING count(*) > 1`)
  t.same(doubleMembers, [], 'at most one current membership per person')
  t.same(await counterDrift(app.db), [], 'coverage and social media duty counters equal a full recount')
  t.ok(succeeded('set-handles') > 5, `handles were set (${succeeded('set-handles')})`)
  const [mirror] = await rows<{ n: number }>(app.db, sql`
    SELECT count(*)::int AS n FROM people p
     WHERE p.handle_platforms <> coalesce((SELECT array_agg(h.platform_code ORDER BY h.platform_code) FROM person_handles h WHERE h.person_id = p.id), '{}')`)
  t.equal(mirror.n, 0, 'people.handle_platforms matches person_handles for everyone')
})

/**
 * The same races with raw SQL and no application checks at all: two transactions that
 * each look fine alone (appoint P / lapse P's membership; two presidents for one booth)
 * overlap in time. PostgreSQL's triggers and locks must let at most one of them commit.
 */
t.test('the database alone refuses racing writes that would break the rule', { skip: !usingPostgres && 'PostgreSQL only' }, async (t) => {
  const { app, databaseUrl } = await buildTestApp(t)
  const tree = await createChain(app, 'RACE')
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 })
  t.teardown(() => pool.end())

  async function attempt (statements: string[], params: unknown[][]): Promise<boolean> {
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      for (let i = 0; i < statements.length; i++) await client.query(statements[i], params[i])
      await client.query('SELECT pg_sleep(0.02)') // widen the window in which the other runs
      await client.query('COMMIT')
      return true
    } catch {
      await client.query('ROLLBACK').catch(() => {})
      return false
    } finally {
      client.release()
    }
  }

  let bothCommitted = 0
  let rounds = 0
  for (let i = 0; i < 25; i++) {
    const booth = await createUnit(app, { level: 'booth', parentId: tree.ward.id, code: `R${i}`, name: `Race ${i}` })
    const a = await activeMember(app, booth.id, `Racer A${i}`)
    const b = await activeMember(app, booth.id, `Racer B${i}`)
    // Race 1: appoint A while A's membership lapses.
    const [appointed, lapsed] = await Promise.all([
      attempt(['INSERT INTO appointments (person_id, unit_id, role_code, start_date) VALUES ($1, $2, \'bla\', CURRENT_DATE)'], [[a.person.id, booth.id]]),
      attempt(['UPDATE memberships SET status = \'lapsed\', lapsed_on = CURRENT_DATE WHERE id = $1'], [[a.membership.id]])
    ])
    // Race 2: two presidents for one booth.
    const [first, second] = await Promise.all([
      attempt(['INSERT INTO appointments (person_id, unit_id, role_code, start_date) VALUES ($1, $2, \'president\', CURRENT_DATE)'], [[b.person.id, booth.id]]),
      attempt(['INSERT INTO appointments (person_id, unit_id, role_code, start_date) VALUES ($1, $2, \'president\', CURRENT_DATE)'], [[a.person.id, booth.id]])
    ])
    if (appointed && lapsed) bothCommitted++
    if (first && second) bothCommitted++
    rounds += 2
  }
  t.equal(bothCommitted, 0, `${rounds} races: never did both sides commit`)
  const [bad] = await rows<{ n: number }>(app.db, sql`
    SELECT count(*)::int AS n FROM appointments a JOIN people p ON p.id = a.person_id
     WHERE (a.end_date IS NULL OR a.end_date > india_today())
       AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id AND m.status = 'current'
                          AND m.grade = 'active' AND m.booth_id = p.home_booth_id)`)
  t.equal(bad.n, 0)
})

/**
 * No one holds one post twice: the triggers check a person's terms under the person's
 * lock. Of two transactions giving A the same committee seat, the second must wait for
 * the first (seen waiting on a lock in pg_stat_activity) and, once the first commits, see
 * its term and be refused.
 */
t.test('the second of two racing double terms waits for the first and is refused', { skip: !usingPostgres && 'PostgreSQL only' }, async (t) => {
  const { app, databaseUrl } = await buildTestApp(t)
  const tree = await createChain(app, 'DBL')
  const a = await activeMember(app, tree.booth.id, 'Double A')
  const first = new pg.Client({ connectionString: databaseUrl })
  const second = new pg.Client({ connectionString: databaseUrl })
  await first.connect()
  await second.connect()
  t.teardown(async () => { await first.end(); await second.end() })
  const insert = 'INSERT INTO appointments (person_id, unit_id, role_code, start_date) VALUES ($1, $2, \'committee_member\', $3)'

  await first.query('BEGIN')
  await first.query(insert, [a.person.id, tree.booth.id, '2025-01-01'])
  const { rows: [{ pid }] } = await second.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
  await second.query('BEGIN')
  const race = { settled: false }
  const racing = second.query(insert, [a.person.id, tree.booth.id, '2025-03-01'])
    .then(() => undefined, (err: unknown) => err as { code?: string, constraint?: string })
    .finally(() => { race.settled = true })
  let waiting = false
  while (!waiting && !race.settled) {
    const [state] = await rows<{ wait: string | null }>(app.db, sql`SELECT wait_event_type AS wait FROM pg_stat_activity WHERE pid = ${pid}`)
    waiting = state?.wait === 'Lock'
    if (!waiting) await new Promise(resolve => setTimeout(resolve, 10))
  }
  t.ok(waiting, 'the second transaction waits for the first\'s lock on the person')
  await first.query('COMMIT')
  const refused = await racing
  await second.query('ROLLBACK')
  t.equal(refused?.constraint, 'appointments_no_double_term', 'and, once the first commits, is refused')
  t.equal(refused?.code, '23P01')
  const [held] = await rows<{ n: number }>(app.db, sql`SELECT count(*)::int AS n FROM appointments WHERE person_id = ${a.person.id} AND role_code = 'committee_member'`)
  t.equal(held.n, 1, 'one committee term')
})
