import t from 'tap'
import { indiaToday } from '../src/time.js'
import { buildTestApp, call, mintKey } from './helpers/app.js'
import { counterDrift } from './helpers/counters.js'
import { activeMember, appoint } from './helpers/people.js'
import { createChain, createUnit, type Unit } from './helpers/tree.js'

const { app } = await buildTestApp(t)

// UP > two districts > a block each > a ward each > booths: LKO has 4 booths, AGR 2.
const state = await createUnit(app, { level: 'state', code: 'CVS', name: 'Coverage State' })
const lko = await createUnit(app, { level: 'district', parentId: state.id, code: 'LKO', name: 'Lucknow' })
const agr = await createUnit(app, { level: 'district', parentId: state.id, code: 'AGR', name: 'Agra' })
const lkoBlock = await createUnit(app, { level: 'block', parentId: lko.id, code: 'B1', name: 'Block' })
const agrBlock = await createUnit(app, { level: 'block', parentId: agr.id, code: 'B1', name: 'Block' })
const lkoWard = await createUnit(app, { level: 'ward', parentId: lkoBlock.id, code: 'W1', name: 'Ward' })
const agrWard = await createUnit(app, { level: 'ward', parentId: agrBlock.id, code: 'W1', name: 'Ward' })
const lkoBooths: Unit[] = []
for (let i = 1; i <= 4; i++) lkoBooths.push(await createUnit(app, { level: 'booth', parentId: lkoWard.id, code: `PS${i}`, name: i === 4 ? '=HYPERLINK("x")' : `मतदान केंद्र ${i}`, acNumber: 72, psNumber: String(i) }))
const agrBooths: Unit[] = []
for (let i = 1; i <= 2; i++) agrBooths.push(await createUnit(app, { level: 'booth', parentId: agrWard.id, code: `PS${i}`, name: `Agra booth ${i}` }))

// Presidents at LKO PS1 and PS2 and AGR PS1; a committee of 3 at LKO PS1.
const p1 = await activeMember(app, lkoBooths[0].id, 'President One', { twitter: '@one' })
const p2 = await activeMember(app, lkoBooths[1].id, 'President Two')
const p3 = await activeMember(app, agrBooths[0].id, 'President Three', { facebook: 'three' })
await appoint(app, { personId: p1.person.id, unitId: lkoBooths[0].id, role: 'president' })
await appoint(app, { personId: p2.person.id, unitId: lkoBooths[1].id, role: 'president' })
await appoint(app, { personId: p3.person.id, unitId: agrBooths[0].id, role: 'president' })
for (let i = 0; i < 2; i++) {
  const m = await activeMember(app, lkoBooths[0].id, `Committee ${i}`)
  await appoint(app, { personId: m.person.id, unitId: lkoBooths[0].id, role: 'committee_member' })
}
const old = await activeMember(app, agrBooths[1].id, 'Old Member')
await call(app, { method: 'PATCH', url: `/v1/memberships/${old.membership.id}`, payload: { grade: 'primary' } })

t.test('coverage of a state by district, from the counters', async (t) => {
  const res = await call(app, { method: 'GET', url: `/v1/units/${state.id}/coverage` })
  t.equal(res.status, 200)
  t.same(res.json.unit, {
    unitId: state.id,
    code: 'CVS',
    codePath: 'CVS',
    name: 'Coverage State',
    level: 'state',
    totalBooths: 6,
    coveredBooths: 3,
    coverage: 0.5,
    boothsWithCommittee: 0,
    activeMembers: 5,
    newMembers: 6,
    officeBearers: 5,
    officeBearersWithHandle: 2
  })
  t.same(res.json.children.map((c: any) => [c.code, c.totalBooths, c.coveredBooths, c.coverage]), [['AGR', 2, 1, 0.5], ['LKO', 4, 2, 0.5]])
  t.equal(res.json.nextCursor, null)

  const k3 = await call(app, { method: 'GET', url: `/v1/units/${state.id}/coverage?minCommittee=3` })
  t.equal(k3.json.unit.boothsWithCommittee, 1, 'LKO PS1 has a committee of 3 (president and two members)')
  const k1 = await call(app, { method: 'GET', url: `/v1/units/${state.id}/coverage?minCommittee=1` })
  t.equal(k1.json.unit.boothsWithCommittee, 3)
  const bla = await call(app, { method: 'GET', url: `/v1/units/${state.id}/coverage?role=bla` })
  t.equal(bla.json.unit.coveredBooths, 0)
  const booths = await call(app, { method: 'GET', url: `/v1/units/${lko.id}/coverage?level=booth&limit=3` })
  t.same(booths.json.children.map((c: any) => [c.code, c.coveredBooths]), [['PS1', 1], ['PS2', 1], ['PS3', 0]])
  const rest = await call(app, { method: 'GET', url: `/v1/units/${lko.id}/coverage?level=booth&limit=3&cursor=${booths.json.nextCursor}` })
  t.same(rest.json.children.map((c: any) => c.code), ['PS4'])

  t.equal((await call(app, { method: 'GET', url: `/v1/units/${state.id}/coverage?role=general_secretary` })).json.code, 'role_not_at_level')
  t.equal((await call(app, { method: 'GET', url: `/v1/units/${lko.id}/coverage?level=state` })).json.code, 'level_not_below_unit')
  t.equal((await call(app, { method: 'GET', url: `/v1/units/${state.id}/coverage?minCommittee=99` })).status, 400)
})

t.test('a booth reports its own figures, and a moved booth takes them along', async (t) => {
  // Booths keep no counter rows: their figures come from their own terms and memberships.
  const own = {
    totalBooths: 1,
    coveredBooths: 1,
    coverage: 1,
    boothsWithCommittee: 1,
    activeMembers: 3,
    newMembers: 3,
    officeBearers: 3,
    officeBearersWithHandle: 1
  }
  const booth = await call(app, { method: 'GET', url: `/v1/units/${lkoBooths[0].id}/coverage?minCommittee=3` })
  t.equal(booth.status, 200)
  t.match(booth.json.unit, { code: 'PS1', level: 'booth', ...own })
  t.same(booth.json.children, [])
  const listed = await call(app, { method: 'GET', url: `/v1/units/${lkoWard.id}/coverage?minCommittee=3` })
  t.match(listed.json.children[0], { code: 'PS1', ...own })
  t.match(listed.json.children[2], { code: 'PS3', totalBooths: 1, coveredBooths: 0, officeBearers: 0, activeMembers: 0 })
  t.equal((await call(app, { method: 'GET', url: `/v1/units/${lkoBooths[0].id}/coverage?minCommittee=4` })).json.unit.boothsWithCommittee, 0)
  t.equal((await call(app, { method: 'GET', url: `/v1/units/${lkoBooths[0].id}/coverage?role=bla` })).json.unit.coveredBooths, 0)

  const ward = await createUnit(app, { level: 'ward', parentId: agrBlock.id, code: 'W9', name: 'Receiving ward' })
  t.equal((await call(app, { method: 'POST', url: `/v1/units/${lkoBooths[0].id}/move`, payload: { parentId: ward.id } })).status, 200)
  const moved = (await call(app, { method: 'GET', url: `/v1/units/${state.id}/coverage?minCommittee=3` })).json.children
  t.same(moved.map((c: any) => [c.code, c.totalBooths, c.coveredBooths, c.boothsWithCommittee, c.activeMembers, c.officeBearers, c.officeBearersWithHandle]), [
    ['AGR', 3, 2, 1, 4, 4, 2],
    ['LKO', 3, 1, 0, 1, 1, 0]
  ], 'its members, committee, handles and filled post leave LKO and join AGR')
  t.same(await counterDrift(app.db), [], 'maintained counters equal a full recount after a booth move')
  t.equal((await call(app, { method: 'POST', url: `/v1/units/${lkoBooths[0].id}/move`, payload: { parentId: lkoWard.id } })).status, 200)
  t.equal((await call(app, { method: 'DELETE', url: `/v1/units/${ward.id}` })).status, 204)
  const back = (await call(app, { method: 'GET', url: `/v1/units/${state.id}/coverage` })).json.children
  t.same(back.map((c: any) => [c.code, c.totalBooths, c.coveredBooths, c.activeMembers]), [['AGR', 2, 1, 1], ['LKO', 4, 2, 4]])
  t.same(await counterDrift(app.db), [])
})

t.test('answers reflect every committed write at once', async (t) => {
  const before = (await call(app, { method: 'GET', url: `/v1/units/${lko.id}/coverage` })).json.unit.coveredBooths
  const p4 = await activeMember(app, lkoBooths[2].id, 'President Four', { instagram: 'four' })
  const term = await appoint(app, { personId: p4.person.id, unitId: lkoBooths[2].id, role: 'president' })
  t.equal((await call(app, { method: 'GET', url: `/v1/units/${lko.id}/coverage` })).json.unit.coveredBooths, before + 1)
  await call(app, { method: 'PATCH', url: `/v1/appointments/${term.id}`, payload: { endDate: indiaToday(), endReason: 'x' } })
  const afterEnd = (await call(app, { method: 'GET', url: `/v1/units/${lko.id}/coverage` })).json.unit
  t.equal(afterEnd.coveredBooths, before)
  t.equal(afterEnd.officeBearers, 4)
  await call(app, { method: 'PATCH', url: `/v1/people/${p2.person.id}`, payload: { youtube: 'two-tube' } })
  t.equal((await call(app, { method: 'GET', url: `/v1/units/${lko.id}/coverage` })).json.unit.officeBearersWithHandle, 2, 'gaining a handle counts')
})

t.test('gaps: JSON pages and a CSV that opens cleanly in a spreadsheet', async (t) => {
  const page = await call(app, { method: 'GET', url: `/v1/units/${state.id}/gaps?limit=2` })
  t.equal(page.status, 200)
  t.same(page.json.items.map((g: any) => g.codePath), ['CVS/AGR/B1/W1/PS2', 'CVS/LKO/B1/W1/PS3'])
  t.same(Object.keys(page.json.items[0]).sort(), ['acNumber', 'code', 'codePath', 'holders', 'id', 'level', 'name', 'psNumber', 'seats'])
  const next = await call(app, { method: 'GET', url: `/v1/units/${state.id}/gaps?limit=2&cursor=${page.json.nextCursor}` })
  t.same(next.json.items.map((g: any) => g.code), ['PS4'])
  t.equal(next.json.nextCursor, null)

  const csv = await app.inject({ method: 'GET', url: `/v1/units/${state.id}/gaps?format=csv`, headers: { authorization: `Bearer ${(await mintKey(app, 'reader'))}` } })
  t.equal(csv.statusCode, 200)
  t.match(csv.headers['content-type'], /^text\/csv/)
  t.match(csv.headers['content-disposition'], /attachment; filename="gaps-president-CVS.csv"/)
  t.equal(csv.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf', 'UTF-8 BOM')
  const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\n')
  t.equal(lines[0], 'code_path,state,district,block,ward,booth,name,level,ac_number,ps_number,role,holders,seats,wing')
  t.equal(lines.length, 4)
  t.match(lines[2], 'मतदान केंद्र 3', 'Hindi survives')
  t.match(lines[3], '"\'=HYPERLINK(""x"")"', 'a formula is neutralised')
  const byAccept = await call(app, { method: 'GET', url: `/v1/units/${lko.id}/gaps`, headers: { accept: 'text/csv' } })
  t.match(byAccept.headers['content-type'], /^text\/csv/)

  const wards = await call(app, { method: 'GET', url: `/v1/units/${state.id}/gaps?level=ward` })
  t.same(wards.json.items.map((g: any) => g.codePath), ['CVS/AGR/B1/W1', 'CVS/LKO/B1/W1'], 'gaps at another level')
  t.equal((await call(app, { method: 'GET', url: `/v1/units/${state.id}/gaps?role=bla&level=ward` })).json.code, 'role_not_at_level')
})

t.test('vacancies: every required post left empty, grouped', async (t) => {
  const res = await call(app, { method: 'GET', url: `/v1/units/${lko.id}/vacancies?perGroup=1` })
  t.equal(res.status, 200)
  const groups = Object.fromEntries(res.json.items.map((g: any) => [`${g.level}/${g.role}`, g]))
  t.same(Object.keys(groups).sort(), ['block/president', 'booth/bla', 'booth/president', 'district/president', 'ward/president'])
  t.equal(groups['booth/bla'].vacant, 4)
  t.equal(groups['booth/president'].vacant, 2)
  t.equal(groups['booth/president'].units.length, 1)
  t.match(groups['booth/president'].more, /gaps\?role=president&level=booth/)
  t.equal(groups['district/president'].more, null)
})

t.test('office-bearers without a social handle, JSON and CSV', async (t) => {
  const res = await call(app, { method: 'GET', url: `/v1/units/${state.id}/office-bearers/without-handles` })
  t.same(res.json.items.map((o: any) => o.person.name).sort(), ['Committee 0', 'Committee 1'])
  const presidents = await call(app, { method: 'GET', url: `/v1/units/${state.id}/office-bearers/without-handles?role=president` })
  t.same(presidents.json.items, [])
  const csv = await call(app, { method: 'GET', url: `/v1/units/${state.id}/office-bearers/without-handles?format=csv` })
  t.match(csv.headers['content-type'], /^text\/csv/)
  t.equal(csv.body.replace(/^\uFEFF/, '').trim().split('\n').length, 3)
})

t.test('scope: a district key sees only its district', async (t) => {
  const reader = await mintKey(app, 'reader', lko.id)
  t.equal((await call(app, { method: 'GET', url: `/v1/units/${state.id}/coverage` }, reader)).status, 404)
  t.equal((await call(app, { method: 'GET', url: `/v1/units/${agr.id}/gaps` }, reader)).status, 404)
  t.equal((await call(app, { method: 'GET', url: `/v1/units/${lko.id}/coverage` }, reader)).status, 200)
})

t.test('counters stay exact through moves, lapses, transfers and deletes', async (t) => {
  const ward2 = await createUnit(app, { level: 'ward', parentId: agrBlock.id, code: 'W2', name: 'Ward Two' })
  const booth = await createUnit(app, { level: 'booth', parentId: ward2.id, code: 'PS9', name: 'Nine' })
  const m = await activeMember(app, booth.id, 'Mover')
  await appoint(app, { personId: m.person.id, unitId: booth.id, role: 'president' })
  await appoint(app, { personId: m.person.id, unitId: ward2.id, role: 'president' })
  t.equal((await call(app, { method: 'POST', url: `/v1/units/${ward2.id}/move`, payload: { parentId: lkoBlock.id } })).status, 200)
  const lkoNow = (await call(app, { method: 'GET', url: `/v1/units/${state.id}/coverage` })).json.children
  t.same(lkoNow.map((c: any) => [c.code, c.totalBooths]), [['AGR', 2], ['LKO', 5]], 'a moved ward takes its booth along')
  await call(app, { method: 'PATCH', url: `/v1/memberships/${m.membership.id}`, payload: { status: 'lapsed', endAppointments: true } })
  await call(app, { method: 'PATCH', url: `/v1/memberships/${p3.membership.id}`, payload: { grade: 'active' } })
  const spare = await createUnit(app, { level: 'booth', parentId: agrWard.id, code: 'PS8', name: 'Spare' })
  await call(app, { method: 'DELETE', url: `/v1/units/${spare.id}` })
  await call(app, { method: 'PATCH', url: '/v1/roles/president', payload: { seats: 2 } })
  t.equal((await call(app, { method: 'GET', url: `/v1/units/${state.id}/coverage` })).json.unit.coveredBooths, 0, 'with two seats, one president no longer fills a booth')
  await call(app, { method: 'PATCH', url: '/v1/roles/president', payload: { seats: 1 } })
  t.same(await counterDrift(app.db), [], 'maintained counters equal a full recount')
})

t.test('the national rollup: the country by state', async (t) => {
  /**
   * The country by state in one request: the same figures as each state's own coverage,
   * summed, for keys without a scope.
   */

  const { app } = await buildTestApp(t)
  const get = async (url: string, key?: string) => call(app, { method: 'GET', url }, key)

  const north = await createChain(app, 'NTH')
  const south = await createChain(app, 'STH')
  await createUnit(app, { level: 'booth', parentId: south.ward.id, code: 'PS2', name: 'Second booth' })
  for (const chain of [north, south]) {
    const { person } = await activeMember(app, chain.booth.id, `President of ${chain.state.code}`, { twitter: `@p_${chain.state.code.toLowerCase()}` })
    await appoint(app, { personId: person.id, unitId: chain.booth.id, role: 'president' })
  }

  t.test('the country and each state, from the same counters as each state\'s coverage', async (t) => {
    const res = await get('/v1/coverage')
    t.equal(res.status, 200)
    t.same(res.json.children.map((r: any) => r.code), ['NTHS', 'STHS'])
    for (const row of res.json.children) {
      const own = await get(`/v1/units/${row.unitId}/coverage`)
      t.same(row, own.json.unit, `${row.code}: the state's own coverage row`)
    }
    t.same(res.json.country, {
      states: 2,
      totalBooths: 3,
      coveredBooths: 2,
      coverage: 0.6667,
      boothsWithCommittee: 0,
      activeMembers: 2,
      newMembers: 2,
      officeBearers: 2,
      officeBearersWithHandle: 2
    })
    t.match(res.json, { wing: 'main', role: 'president', nextCursor: null })

    const first = await get('/v1/coverage?limit=1')
    t.same(first.json.children.map((r: any) => r.code), ['NTHS'])
    t.equal(first.json.country.states, 2, 'the country is every state, whatever the page')
    const second = await get(`/v1/coverage?limit=1&cursor=${first.json.nextCursor}`)
    t.same(second.json.children.map((r: any) => r.code), ['STHS'])
    t.equal(second.json.nextCursor, null)

    const youth = await get('/v1/coverage?wing=youth')
    t.equal(youth.json.country.coveredBooths, 0, 'per wing')
  })

  t.test('as CSV: the country first, then each state', async (t) => {
    const res = await get('/v1/coverage?format=csv')
    t.equal(res.status, 200)
    const lines = res.body.replace(/^\uFEFF/, '').trim().split(/\r?\n/)
    t.equal(lines.length, 4)
    t.match(lines[0], /^code_path,code,name,level,total_booths,covered_booths,coverage,/)
    t.match(lines[1], /^,,All states,country,3,2,0.6667,/)
    t.match(lines[2], /^NTHS,NTHS,/)
  })

  t.test('keys with a scope, and questions that make no sense, are refused', async (t) => {
    const scoped = await mintKey(app, 'reader', north.state.id)
    const refused = await get('/v1/coverage', scoped)
    t.equal(refused.status, 403)
    t.equal(refused.json.code, 'global_key_required')
    t.notMatch(refused.body, /STHS/, 'nothing about another state')
    const reader = await mintKey(app, 'reader', null)
    t.equal((await get('/v1/coverage', reader)).status, 200, 'a global reader may ask')
    t.equal((await get('/v1/coverage?role=nobody')).json.code, 'unknown_role')
    t.equal((await get('/v1/coverage?role=committee_member&wing=main')).status, 200)
  })

  t.test('the country\'s gaps: every state\'s, in code-path order, pages and CSV, for keys without a scope', async (t) => {
    const lone = await createUnit(app, { level: 'booth', parentId: north.ward.id, code: 'PS9', name: 'Ninth booth' })
    const res = await get('/v1/gaps')
    t.equal(res.status, 200)
    const own = [...(await get(`/v1/units/${north.state.id}/gaps`)).json.items, ...(await get(`/v1/units/${south.state.id}/gaps`)).json.items]
    t.ok(own.length >= 2, 'gaps in both states')
    t.same(res.json.items, own, 'the states\' own gaps, one after the other')
    t.ok(res.json.items.some((g: any) => g.id === lone.id))
    t.equal(res.json.nextCursor, null)

    const first = await get('/v1/gaps?limit=1')
    t.same(first.json.items, own.slice(0, 1))
    const second = await get(`/v1/gaps?limit=1&cursor=${first.json.nextCursor}`)
    t.same(second.json.items, own.slice(1, 2), 'the next page starts after the first')

    const csv = await get('/v1/gaps?format=csv')
    t.equal(csv.status, 200)
    t.match(csv.headers['content-disposition'], /attachment; filename="gaps-president-country.csv"/)
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split(/\r?\n/)
    t.equal(lines.length, own.length + 1, 'a header and every gap')
    t.ok(lines[1].startsWith(own[0].codePath + ','))

    const scoped = await mintKey(app, 'admin', north.state.id)
    const refused = await get('/v1/gaps', scoped)
    t.equal(refused.status, 403)
    t.equal(refused.json.code, 'global_key_required')
    t.notMatch(refused.body, /STHS/, 'nothing about another state')
    t.equal((await get('/v1/gaps?role=nobody')).json.code, 'unknown_role')
    t.equal((await get('/v1/gaps?limit=501')).status, 400)
  })
})
