import { sql } from 'drizzle-orm'
import t from 'tap'
import { rows } from '../src/db/client.js'
import { buildTestApp, call, mintKey } from './helpers/app.js'
import { counterDrift } from './helpers/counters.js'
import { csv, postImport } from './helpers/imports.js'
import { activeMember, appoint, createPerson } from './helpers/people.js'
import { createUnit, type Unit } from './helpers/tree.js'

/**
 * Wings: the main body and the frontal organisations each have posts at the same units.
 * A post is (unit, wing, role); the own-booth rule, seats and "no one twice in a post"
 * hold in every wing; every report takes a wing and the main body's figures stay its own.
 */

const { app } = await buildTestApp(t)
const get = async (url: string, key?: string) => call(app, { method: 'GET', url }, key)

const state = await createUnit(app, { level: 'state', code: 'WNG', name: 'Wings State' })
const district = await createUnit(app, { level: 'district', parentId: state.id, code: 'D1', name: 'District One' })
const other = await createUnit(app, { level: 'district', parentId: state.id, code: 'D2', name: 'District Two' })
const block = await createUnit(app, { level: 'block', parentId: district.id, code: 'B1', name: 'Block' })
const ward = await createUnit(app, { level: 'ward', parentId: block.id, code: 'W1', name: 'Ward' })
const booths: Unit[] = []
for (let i = 1; i <= 3; i++) booths.push(await createUnit(app, { level: 'booth', parentId: ward.id, code: `PS${i}`, name: `Booth ${i}` }))
const otherBlock = await createUnit(app, { level: 'block', parentId: other.id, code: 'B1', name: 'Block' })
const otherWard = await createUnit(app, { level: 'ward', parentId: otherBlock.id, code: 'W1', name: 'Ward' })
const otherBooth = await createUnit(app, { level: 'booth', parentId: otherWard.id, code: 'PS1', name: 'Other booth' })
const otherBlock2 = await createUnit(app, { level: 'block', parentId: other.id, code: 'B2', name: 'Second block' })

// People who may hold office: active members at their home booths.
const a = await activeMember(app, booths[0].id, 'Asha Youth', { twitter: '@asha' })
const b = await activeMember(app, booths[1].id, 'Bhola Main')
const c = await activeMember(app, booths[1].id, 'Chanda Women')
const outsider = await createPerson(app, { name: 'Not A Member', homeBoothId: booths[2].id })

t.test('the wings catalogue: seeded, with local names, managed by global admins', async (t) => {
  const list = await get('/v1/wings')
  t.equal(list.status, 200)
  t.same(list.json.items.map((w: any) => w.code), ['main', 'youth', 'women', 'students', 'seva_dal', 'it_cell'])
  t.match(list.json.items[1], { code: 'youth', name: 'Youth wing', localName: 'युवा मोर्चा' })

  const scoped = await mintKey(app, 'admin', district.id)
  t.equal((await call(app, { method: 'POST', url: '/v1/wings', payload: { code: 'kisan', name: 'Farmers\' wing' } }, scoped)).status, 403, 'a scoped admin may not')
  const made = await call(app, { method: 'POST', url: '/v1/wings', payload: { code: 'kisan', name: 'Farmers\' wing', localName: 'किसान मोर्चा' } })
  t.equal(made.status, 201)
  t.equal(made.headers.location, '/v1/wings/kisan')
  t.equal((await call(app, { method: 'POST', url: '/v1/wings', payload: { code: 'kisan', name: 'Again' } })).json.code, 'wing_exists')
  t.equal((await call(app, { method: 'POST', url: '/v1/wings', payload: { code: 'all', name: 'Everyone' } })).status, 400, '"all" is the filter, never a wing')

  const one = await get('/v1/wings/kisan')
  t.equal(one.headers.etag, '"v1"')
  const stale = await call(app, { method: 'PATCH', url: '/v1/wings/kisan', payload: { name: 'Kisan Morcha' }, headers: { 'if-match': '"v9"' } })
  t.equal(stale.status, 412)
  const renamed = await call(app, { method: 'PATCH', url: '/v1/wings/kisan', payload: { name: 'Kisan Morcha' }, headers: { 'if-match': '"v1"' } })
  t.equal(renamed.status, 200)
  t.equal(renamed.headers.etag, '"v2"')

  // A role of its own keeps the wing; without roles it can go.
  t.equal((await call(app, { method: 'POST', url: '/v1/roles', payload: { wing: 'kisan', code: 'president', name: 'President', levels: ['district'], seats: 1 } })).status, 201)
  t.equal((await call(app, { method: 'DELETE', url: '/v1/wings/kisan' })).json.code, 'wing_in_use')
  t.equal((await call(app, { method: 'DELETE', url: '/v1/roles/president?wing=kisan' })).status, 204)
  t.equal((await call(app, { method: 'DELETE', url: '/v1/wings/kisan' })).status, 204)
  t.equal((await call(app, { method: 'DELETE', url: '/v1/wings/main' })).json.code, 'wing_in_use', 'the main body stays')
  const audit = await get('/v1/audit?entityType=wing&entityId=kisan')
  t.same(audit.json.items.map((a: any) => a.action).sort(), ['create', 'delete', 'update'])
})

t.test('the roles catalogue per wing; calls without a wing mean the main body', async (t) => {
  const main = await get('/v1/roles')
  t.ok(main.json.items.length > 0)
  t.ok(main.json.items.every((r: any) => r.wing === 'main'), 'the main body by default, as before')
  t.ok(main.json.items.some((r: any) => r.code === 'bla'))
  const youth = await get('/v1/roles?wing=youth')
  t.same(youth.json.items.map((r: any) => r.code), ['president', 'vice_president', 'general_secretary', 'secretary'])
  t.notOk(youth.json.items.some((r: any) => r.code === 'bla'), 'no booth level agents in the youth wing')
  const all = await get('/v1/roles?wing=all')
  t.equal(all.json.items.length, main.json.items.length + 5 * 4)
  t.equal(all.json.items[0].wing, 'main', 'in the wings\' order')
  t.match((await get('/v1/roles/president?wing=women')).json, { wing: 'women', code: 'president', seats: 1 })
  t.equal((await get('/v1/roles/bla?wing=youth')).status, 404)
  t.equal((await call(app, { method: 'POST', url: '/v1/roles', payload: { wing: 'nowhere', code: 'x1', name: 'X', levels: ['booth'] } })).json.code, 'unknown_wing')
})

t.test('a post is (unit, wing, role): one person may be president of the booth and of its youth wing', async (t) => {
  const main = await appoint(app, { personId: b.person.id, unitId: booths[1].id, role: 'president' })
  t.equal(main.wing, 'main', 'no wing: the main body, as before')
  const youth = await appoint(app, { personId: a.person.id, unitId: booths[0].id, wing: 'youth', role: 'president' })
  t.equal(youth.wing, 'youth')
  const twice = await appoint(app, { personId: b.person.id, unitId: booths[1].id, wing: 'youth', role: 'president' })
  t.equal(twice.wing, 'youth', 'the same person in the same role of another wing is another post')
  await appoint(app, { personId: c.person.id, unitId: booths[1].id, wing: 'women', role: 'president' })

  const full = await call(app, { method: 'POST', url: '/v1/appointments', payload: { personId: a.person.id, unitId: booths[1].id, wing: 'youth', role: 'president' } })
  t.equal(full.status, 409)
  t.equal(full.json.code, 'post_full', 'seats are per wing')
  t.same(full.json.appointments.map((o: any) => [o.wing, o.role]), [['youth', 'president']])
  const again = await call(app, { method: 'POST', url: '/v1/appointments', payload: { personId: b.person.id, unitId: booths[1].id, wing: 'youth', role: 'president' } })
  t.equal(again.json.code, 'already_holds_post')

  const ruled = await call(app, { method: 'POST', url: '/v1/appointments', payload: { personId: outsider.id, unitId: booths[2].id, wing: 'youth', role: 'president' } })
  t.equal(ruled.status, 409)
  t.equal(ruled.json.code, 'not_active_member_at_home', 'the own-booth rule holds in every wing')
  const noBla = await call(app, { method: 'POST', url: '/v1/appointments', payload: { personId: a.person.id, unitId: booths[0].id, wing: 'youth', role: 'bla' } })
  t.equal(noBla.status, 422)
  t.equal(noBla.json.code, 'unknown_role')
  const noWing = await call(app, { method: 'POST', url: '/v1/appointments', payload: { personId: a.person.id, unitId: booths[0].id, wing: 'kisan2', role: 'president' } })
  t.equal(noWing.json.code, 'unknown_wing')
  const level = await call(app, { method: 'POST', url: '/v1/appointments', payload: { personId: a.person.id, unitId: booths[0].id, wing: 'youth', role: 'general_secretary' } })
  t.equal(level.json.code, 'role_not_at_level')

  // Raw SQL meets the same guarantees: PostgreSQL holds them, per wing.
  const db = app.db
  await t.rejects(db.execute(sql`INSERT INTO appointments (person_id, unit_id, wing_code, role_code, start_date) VALUES (${a.person.id}, ${booths[1].id}, 'youth', 'president', '2024-01-01')`),
    { cause: { constraint: 'appointments_seats' } })
  await t.rejects(db.execute(sql`INSERT INTO appointments (person_id, unit_id, wing_code, role_code, start_date) VALUES (${a.person.id}, ${booths[0].id}, 'youth', 'bla', '2024-01-01')`),
    { cause: { constraint: 'appointments_role_fkey' } })
  await t.rejects(db.execute(sql`INSERT INTO appointments (person_id, unit_id, wing_code, role_code, start_date) VALUES (${outsider.id}, ${booths[2].id}, 'women', 'secretary', '2024-01-01')`),
    { cause: { constraint: 'own_booth_rule' } })
  t.same(await counterDrift(app.db), [])
})

t.test('lists take a wing: the main body by default, all for every wing', async (t) => {
  const mainOnly = await get(`/v1/appointments?personId=${b.person.id}`)
  t.same(mainOnly.json.items.map((x: any) => x.wing), ['main'], 'as before: the main body\'s terms')
  const every = await get(`/v1/appointments?personId=${b.person.id}&wing=all`)
  t.same(every.json.items.map((x: any) => x.wing).sort(), ['main', 'youth'])
  t.equal((await get('/v1/appointments?wing=NOPE!')).status, 400)

  const bearers = await get(`/v1/units/${ward.id}/office-bearers?subtree=true&wing=all&limit=2`)
  t.same(bearers.json.items.map((x: any) => [x.unitCodePath, x.wing, x.role]), [['WNG/D1/B1/W1/PS1', 'youth', 'president'], ['WNG/D1/B1/W1/PS2', 'main', 'president']])
  const next = await get(`/v1/units/${ward.id}/office-bearers?subtree=true&wing=all&limit=2&cursor=${bearers.json.nextCursor}`)
  t.same(next.json.items.map((x: any) => [x.unitCodePath, x.wing, x.role]), [['WNG/D1/B1/W1/PS2', 'women', 'president'], ['WNG/D1/B1/W1/PS2', 'youth', 'president']], 'paged in (code path, wing, role) order')
  t.equal(next.json.nextCursor, null)
  const youth = await get(`/v1/units/${ward.id}/office-bearers?subtree=true&wing=youth`)
  t.equal(youth.json.items.length, 2)
  const sheet = await call(app, { method: 'GET', url: `/v1/units/${ward.id}/office-bearers?subtree=true&wing=all&format=csv` })
  const lines = sheet.body.replace(/^\uFEFF/, '').trim().split(/\r?\n/)
  t.match(lines[0], /,wing$/, 'the wing is the last column')
  t.equal(lines.length, 5)
})

t.test('coverage, gaps and vacancies per wing; the main body\'s figures are its own', async (t) => {
  const main = await get(`/v1/units/${district.id}/coverage`)
  t.match(main.json, { wing: 'main', role: 'president' })
  t.match(main.json.unit, { totalBooths: 3, coveredBooths: 1, officeBearers: 1, officeBearersWithHandle: 0 })
  const youth = await get(`/v1/units/${district.id}/coverage?wing=youth`)
  t.match(youth.json, { wing: 'youth', role: 'president' })
  t.match(youth.json.unit, { totalBooths: 3, coveredBooths: 2, officeBearers: 2, officeBearersWithHandle: 1, boothsWithCommittee: 0 })
  t.equal((await get(`/v1/units/${district.id}/coverage?wing=youth&minCommittee=1`)).json.unit.boothsWithCommittee, 2)
  t.equal((await get(`/v1/units/${district.id}/coverage?wing=youth&minCommittee=0`)).json.unit.boothsWithCommittee, 3, 'K = 0: every booth')
  t.match((await get(`/v1/units/${district.id}/coverage?wing=women`)).json.unit, { coveredBooths: 1, officeBearers: 1 })
  const boothRows = await get(`/v1/units/${ward.id}/coverage?wing=youth`)
  t.same(boothRows.json.children.map((r: any) => [r.code, r.coveredBooths, r.officeBearers]), [['PS1', 1, 1], ['PS2', 1, 1], ['PS3', 0, 0]], 'a booth\'s own rows, per wing')
  t.equal((await get(`/v1/units/${district.id}/coverage?wing=youth&role=bla`)).json.code, 'unknown_role')

  const gaps = await get(`/v1/units/${district.id}/gaps?wing=youth`)
  t.same(gaps.json.items.map((g: any) => g.code), ['PS3'])
  const gapsCsv = await call(app, { method: 'GET', url: `/v1/units/${district.id}/gaps?wing=youth&format=csv` })
  t.match(gapsCsv.headers['content-disposition'], /gaps-youth-president-WNG_D1\.csv/)
  t.match(gapsCsv.body.replace(/^\uFEFF/, '').trim().split(/\r?\n/)[1], /^WNG\/D1\/B1\/W1\/PS3,.*,youth$/)

  const vacancies = await get(`/v1/units/${district.id}/vacancies?wing=youth&perGroup=1`)
  t.same(vacancies.json.items.map((g: any) => [g.level, g.role, g.vacant]), [['district', 'president', 1], ['block', 'president', 1], ['ward', 'president', 1], ['booth', 'president', 1]])
  const mainVacancies = await get(`/v1/units/${district.id}/vacancies`)
  t.ok(mainVacancies.json.items.every((g: any) => !['vice_president'].includes(g.role) || g.level !== 'booth'))
  t.equal(mainVacancies.json.items.find((g: any) => g.level === 'booth' && g.role === 'president').vacant, 2, 'the youth presidents fill no main-body post')
  const vacCsv = await call(app, { method: 'GET', url: `/v1/units/${district.id}/vacancies?wing=youth&format=csv` })
  t.equal(vacCsv.body.replace(/^\uFEFF/, '').trim().split(/\r?\n/).length, 5, 'a header and four vacant units')

  const withoutHandle = await get(`/v1/units/${district.id}/office-bearers/without-handles?wing=youth`)
  t.same(withoutHandle.json.items.map((o: any) => o.person.name), ['Bhola Main'])
})

t.test('counters stay exact through ends, moves, handle changes and catalogue changes, per wing', async (t) => {
  const youthTerm = (await get(`/v1/appointments?personId=${a.person.id}&wing=youth`)).json.items[0]
  const ended = await call(app, { method: 'PATCH', url: `/v1/appointments/${youthTerm.id}`, payload: { endDate: youthTerm.startDate, endReason: 'test' } })
  t.equal(ended.status, 200)
  t.equal((await get(`/v1/units/${district.id}/coverage?wing=youth`)).json.unit.coveredBooths, 1)
  t.same(await counterDrift(app.db), [], 'after an end')

  // The ward moves to the other district with its booths' wing posts.
  const moved = await call(app, { method: 'POST', url: `/v1/units/${ward.id}/move`, payload: { parentId: otherBlock2.id } })
  t.equal(moved.status, 200)
  t.match((await get(`/v1/units/${other.id}/coverage?wing=youth`)).json.unit, { totalBooths: 4, coveredBooths: 1 })
  t.match((await get(`/v1/units/${district.id}/coverage?wing=youth`)).json.unit, { totalBooths: 0, coveredBooths: 0, officeBearers: 0 })
  t.same(await counterDrift(app.db), [], 'after a move')
  t.equal((await call(app, { method: 'POST', url: `/v1/units/${ward.id}/move`, payload: { parentId: block.id } })).status, 200)

  await call(app, { method: 'PATCH', url: `/v1/people/${b.person.id}`, payload: { youtube: 'bhola' } })
  t.equal((await get(`/v1/units/${district.id}/coverage?wing=youth`)).json.unit.officeBearersWithHandle, 1)
  t.equal((await get(`/v1/units/${district.id}/coverage`)).json.unit.officeBearersWithHandle, 1)
  t.same(await counterDrift(app.db), [], 'after a handle')

  // Two seats for youth presidents: both booths of the ward... counted filled at one holder still.
  await call(app, { method: 'PATCH', url: '/v1/roles/president?wing=youth', payload: { seats: 2 } })
  t.equal((await get(`/v1/units/${district.id}/coverage?wing=youth`)).json.unit.coveredBooths, 0, 'one holder no longer fills a two-seat post')
  t.equal((await get(`/v1/units/${district.id}/coverage`)).json.unit.coveredBooths, 1, 'the main body unchanged')
  t.same(await counterDrift(app.db), [], 'after a change of seats')
  await call(app, { method: 'PATCH', url: '/v1/roles/president?wing=youth', payload: { seats: 1 } })
  t.same(await counterDrift(app.db), [])
})

t.test('a person page lists offices grouped by wing', async (t) => {
  const page = await get(`/v1/people/${b.person.id}`)
  t.same(page.json.officesByWing.map((g: any) => [g.wing, g.wingName, g.offices.map((o: any) => o.role)]), [
    ['main', 'Main body', ['president']],
    ['youth', 'Youth wing', ['president']]
  ])
  t.equal(page.json.offices.length, 2)
})

t.test('a scoped key sees and changes wing posts only in its subtree', async (t) => {
  const editor = await mintKey(app, 'editor', other.id)
  const p = await activeMember(app, otherBooth.id, 'Other Youth')
  const made = await call(app, { method: 'POST', url: '/v1/appointments', payload: { personId: p.person.id, unitId: otherBooth.id, wing: 'youth', role: 'president' } }, editor)
  t.equal(made.status, 201)
  const outside = await call(app, { method: 'POST', url: '/v1/appointments', payload: { personId: c.person.id, unitId: booths[1].id, wing: 'youth', role: 'secretary' } }, editor)
  t.equal(outside.status, 422, 'a unit outside the scope does not exist for this key')
  const listed = await get('/v1/appointments?wing=all', editor)
  t.same(listed.json.items.map((x: any) => x.unitId), [otherBooth.id])
  t.equal((await get(`/v1/units/${district.id}/coverage?wing=youth`, editor)).status, 404)
})

t.test('the presidents import takes a wing, per file or per row', async (t) => {
  const file = csv('booth,name,voter_id,role,wing',
    'WNG/D1/B1/W1/PS3,Dinesh Youth,WNG1000001,president,',
    'WNG/D1/B1/W1/PS3,Dinesh Youth Again,WNG1000002,president,women',
    'WNG/D1/B1/W1/PS3,Nobody,WNG1000003,president,kisan3')
  const partial = await postImport(app, 'booth-presidents', file, { query: 'mode=partial&wing=youth' })
  t.equal(partial.status, 200)
  t.match(partial.json.counts, { created: 2, failed: 1 })
  t.same(partial.json.errors.map((e: any) => [e.line, e.code, e.column]), [[4, 'unknown_wing', 'wing']])
  const at = await rows<{ wing: string }>(app.db, sql`SELECT wing_code AS wing FROM appointments a JOIN units u ON u.id = a.unit_id WHERE u.code_path = 'WNG/D1/B1/W1/PS3' AND a.end_date IS NULL ORDER BY 1`)
  t.same(at.map(r => r.wing), ['women', 'youth'])
  t.equal((await postImport(app, 'booth-presidents', file, { query: 'wing=nowhere' })).json.code, 'unknown_wing', 'a wrong wing refuses the file before it is read')
  const bla = await postImport(app, 'booth-presidents', csv('booth,name,voter_id,role', 'WNG/D1/B1/W1/PS3,Esha,WNG1000004,bla'), { query: 'mode=partial&wing=youth' })
  t.same(bla.json.errors.map((e: any) => e.code), ['unknown_role'], 'the youth wing has no BLA')
  t.same(await counterDrift(app.db), [])
})
