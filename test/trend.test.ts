import { sql } from 'drizzle-orm'
import t, { type Test } from 'tap'
import { rows } from '../src/db/client.js'
import { buildTestApp, call, mintKey } from './helpers/app.js'
import { counterDrift } from './helpers/counters.js'
import { activeMember, appoint } from './helpers/people.js'
import { createUnit, type Unit } from './helpers/tree.js'

const { app, logs } = await buildTestApp(t)

// A state, two districts (a block, two wards in the first), booths under the wards.
const state = await createUnit(app, { level: 'state', code: 'TRS', name: 'Trend State' })
const d1 = await createUnit(app, { level: 'district', parentId: state.id, code: 'D1', name: 'One' })
const d2 = await createUnit(app, { level: 'district', parentId: state.id, code: 'D2', name: 'Two' })
const b1 = await createUnit(app, { level: 'block', parentId: d1.id, code: 'B1', name: 'Block 1' })
const b2 = await createUnit(app, { level: 'block', parentId: d2.id, code: 'B1', name: 'Block 2' })
const w1 = await createUnit(app, { level: 'ward', parentId: b1.id, code: 'W1', name: 'Ward 1' })
const w2 = await createUnit(app, { level: 'ward', parentId: b1.id, code: 'W2', name: 'Ward 2' })
const w3 = await createUnit(app, { level: 'ward', parentId: b2.id, code: 'W1', name: 'Ward 3' })
const booths: Unit[] = []
for (const [ward, n] of [[w1, 3], [w2, 2], [w3, 2]] as const) {
  for (let i = 1; i <= n; i++) booths.push(await createUnit(app, { level: 'booth', parentId: ward.id, code: `PS${i}`, name: `Booth ${i}` }))
}

const [{ today }] = await rows<{ today: string }>(app.db, sql`SELECT to_char(india_today(), 'YYYY-MM-DD') AS today`)
const daysAgo = (n: number) => { const d = new Date(`${today}T00:00:00Z`); d.setUTCDate(d.getUTCDate() - n); return d.toISOString().slice(0, 10) }

/** Filled booths on each trend day, straight from the terms: the naive recount the counters must equal. */
async function naive (unitId: string, role: string, days: string[], wing = 'main'): Promise<number[]> {
  const counted = await rows<{ day: string, n: number }>(app.db, sql`
    SELECT to_char(d.day, 'YYYY-MM-DD') AS day, count(f.id)::int AS n
      FROM unnest(string_to_array(${days.join(',')}, ',')::date[]) AS d(day)
      LEFT JOIN LATERAL (
        SELECT b.id FROM units b JOIN units top ON top.id = ${unitId}
          JOIN appointments a ON a.unit_id = b.id AND a.wing_code = ${wing} AND a.role_code = ${role}
           AND a.start_date <= d.day AND (a.end_date IS NULL OR a.end_date > d.day)
          JOIN roles r ON r.wing_code = a.wing_code AND r.code = a.role_code
         WHERE b.level = 'booth' AND b.path <@ top.path
         GROUP BY b.id, r.seats HAVING count(*) >= coalesce(r.seats, 1)) f ON true
     GROUP BY d.day`)
  const byDay = new Map(counted.map(r => [r.day, r.n]))
  return days.map(day => byDay.get(day) ?? -1)
}

async function trend (unitId: string, query = '') {
  const res = await call(app, { method: 'GET', url: `/v1/units/${unitId}/coverage/trend${query}` })
  if (res.status !== 200) throw new Error(`${res.status} ${res.body} ${JSON.stringify(logs.filter(l => Number(l.level) >= 50).slice(-1))}`)
  return res.json
}

/** Every unit of the tree, its trend equal to the naive recount, and the counters to a full recount. */
async function exact (t: Test, role = 'president', label = '') {
  for (const unit of [state, d1, d2, b1, b2, w1, w2, w3]) {
    const report = await trend(unit.id, `?role=${role}`)
    t.same(report.unit.filled, await naive(unit.id, role, report.days), `${label} ${unit.codePath}`)
    for (const child of report.children) t.same(child.filled, await naive(child.unitId, role, report.days), `${label} ${child.codePath}`)
  }
  t.same(await counterDrift(app.db), [], `${label}: post_days equal a full recount`)
}

// Terms at booths, backdated across the 12 weeks, some ended.
const people: Array<Awaited<ReturnType<typeof activeMember>>> = []
for (const b of booths) people.push(await activeMember(app, b.id, `Member ${b.codePath}`))
const term = (i: number, start: string, role = 'president') => appoint(app, { personId: people[i].person.id, unitId: booths[i].id, role, startDate: start })

t.test('the shape: 12 weekly days ending today, the unit and its children', async (t) => {
  const report = await trend(state.id)
  t.equal(report.days.length, 12)
  t.equal(report.days[11], today)
  t.equal(report.days[0], daysAgo(77))
  t.equal(report.unit.totalBooths, 7)
  t.same(report.children.map((c: { code: string }) => c.code), ['D1', 'D2'])
  t.same(report.unit.filled, new Array(12).fill(0))
  t.equal(report.nextCursor, null)
  t.equal((await trend(state.id, '?weeks=4')).days.length, 4)
})

t.test('appointments backdated, ended and moved: always equal to the terms', async (t) => {
  const a0 = await term(0, daysAgo(200))
  await term(1, daysAgo(60))
  await term(2, daysAgo(20))
  await term(5, today)
  await term(3, daysAgo(30), 'bla')
  // A term dated ahead: not filled on any day asked about, but counted by post_stats.
  await term(4, daysAgo(-10))
  await exact(t, 'president', 'after appointing')
  // End one a month ago (its first day out of office), one today.
  t.equal((await call(app, { method: 'PATCH', url: `/v1/appointments/${a0.id}`, payload: { endDate: daysAgo(35), endReason: 'resigned' } })).status, 200)
  await exact(t, 'president', 'after ending')
  // A new president where one ended, starting three weeks ago.
  const other = await activeMember(app, booths[0].id, 'Successor')
  await appoint(app, { personId: other.person.id, unitId: booths[0].id, role: 'president', startDate: daysAgo(21) })
  await exact(t, 'president', 'after a successor')
  await exact(t, 'bla', 'bla')
  // A ward moves to the other district: its history moves with it.
  t.equal((await call(app, { method: 'POST', url: `/v1/units/${w2.id}/move`, payload: { parentId: b2.id } })).status, 200)
  await exact(t, 'president', 'after a ward moved')
  // A booth moves to another ward.
  t.equal((await call(app, { method: 'POST', url: `/v1/units/${booths[2].id}/move`, payload: { parentId: w3.id } })).status, 200)
  await exact(t, 'president', 'after a booth moved')
  // Raw SQL too: a term's start changed, a term deleted, a role's seats changed.
  await app.db.execute(sql`UPDATE appointments SET start_date = start_date - 10 WHERE unit_id = ${booths[2].id} AND role_code = 'president'`)
  await exact(t, 'president', 'after a start date moved')
  await app.db.execute(sql`DELETE FROM appointments WHERE unit_id = ${booths[1].id} AND role_code = 'president'`)
  await exact(t, 'president', 'after a delete')
  await app.db.execute(sql`UPDATE roles SET seats = 2 WHERE wing_code = 'main' AND code = 'president'`)
  await exact(t, 'president', 'two seats')
  await app.db.execute(sql`UPDATE roles SET seats = 1 WHERE wing_code = 'main' AND code = 'president'`)
  await exact(t, 'president', 'one seat again')
})

t.test('the trend of a district by block shows the change week by week', async (t) => {
  const report = await trend(state.id)
  const filled = report.unit.filled as number[]
  t.ok(filled[11] >= filled[0], 'a growing organisation')
  t.same(report.unit.coverage, filled.map(n => n / report.unit.totalBooths))
})

t.test('refusals: a post that is not required, not at booths; a unit outside the scope', async (t) => {
  const secretary = await call(app, { method: 'GET', url: `/v1/units/${state.id}/coverage/trend?role=secretary` })
  t.equal(secretary.status, 422)
  t.match(secretary.json.code, /role_not_tracked|role_not_at_level/)
  t.equal((await call(app, { method: 'GET', url: `/v1/units/${state.id}/coverage/trend?weeks=0` })).json.code, 'validation_failed')
  const scoped = await mintKey(app, 'reader', d2.id)
  t.equal((await call(app, { method: 'GET', url: `/v1/units/${d1.id}/coverage/trend` }, scoped)).status, 404)
  t.equal((await call(app, { method: 'GET', url: `/v1/units/${d2.id}/coverage/trend` }, scoped)).status, 200)
})

t.test('children come in pages', async (t) => {
  const first = await trend(b2.id, '?limit=1')
  t.equal(first.children.length, 1)
  t.ok(first.nextCursor)
  const next = await trend(b2.id, `?limit=1&cursor=${first.nextCursor}`)
  t.not(next.children[0]?.unitId, first.children[0].unitId)
})
