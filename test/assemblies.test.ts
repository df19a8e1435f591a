import { sql } from 'drizzle-orm'
import t from 'tap'
import { rows } from '../src/db/client.js'
import { buildTestApp, call, mintKey } from './helpers/app.js'
import { counterDrift } from './helpers/counters.js'
import { count, csv, postImport } from './helpers/imports.js'
import { activeMember, appoint } from './helpers/people.js'
import { refusal } from './helpers/sql.js'
import { createUnit, type Unit } from './helpers/tree.js'

/**
 * Assembly constituencies: created as booths name them (API, import, raw SQL), one name
 * per (state, number), seen and counted within a key's subtree, renamed by admins of the
 * whole state.
 */
const { app, logs } = await buildTestApp(t)
const get = async (url: string, key?: string) => call(app, { method: 'GET', url }, key)

// One state, two districts; constituency 12 spans both, 13 lies in the second only.
const state = await createUnit(app, { level: 'state', code: 'ASM', name: 'Assembly State' })
const wardIn = async (district: Unit, code: string) => {
  const block = await createUnit(app, { level: 'block', parentId: district.id, code: 'B1', name: `${code} block` })
  return createUnit(app, { level: 'ward', parentId: block.id, code: 'W1', name: `${code} ward` })
}
const north = await createUnit(app, { level: 'district', parentId: state.id, code: 'NTH', name: 'North' })
const south = await createUnit(app, { level: 'district', parentId: state.id, code: 'STH', name: 'South' })
const northWard = await wardIn(north, 'North')
const southWard = await wardIn(south, 'South')
const booth = (ward: Unit, code: string, ac: Record<string, unknown>) =>
  call(app, { method: 'POST', url: '/v1/units', payload: { level: 'booth', parentId: ward.id, code, name: `Booth ${code}`, ...ac } })

t.test('the first booth that names a constituency creates it; the others join it', async (t) => {
  const first = await booth(northWard, 'PS1', { acNumber: 12, acName: 'Rampur' })
  t.equal(first.status, 201)
  t.type(first.json.assemblyId, 'string')
  const second = await booth(northWard, 'PS2', { acNumber: 12 })
  t.equal(second.json.assemblyId, first.json.assemblyId, 'a booth giving only the number joins it')
  t.equal(second.json.acName, null, 'and keeps its own fields as sent')
  const third = await booth(southWard, 'PS1', { acNumber: 12, acName: 'Rampur' })
  t.equal(third.json.assemblyId, first.json.assemblyId, 'the same number in another district of the state: the same constituency')
  const none = await booth(southWard, 'PS9', {})
  t.equal(none.json.assemblyId, null, 'a booth without a number belongs to none')

  const ac = await get(`/v1/assemblies/${first.json.assemblyId}`)
  t.equal(ac.status, 200)
  t.match(ac.json, { stateId: state.id, stateCode: 'ASM', number: 12, name: 'Rampur', localName: null, reserved: null, boothCount: 3 })
  t.same(ac.json.districts.map((d: { code: string }) => d.code), ['NTH', 'STH'])
  t.match(ac.headers.etag, /^"/)
})

t.test('another name for an existing number is refused, and nothing is written', async (t) => {
  const before = await count(app, 'units')
  const other = await booth(northWard, 'PS3', { acNumber: 12, acName: 'Rampur East' })
  t.equal(other.status, 409)
  t.equal(other.json.code, 'assembly_name_mismatch')
  t.equal(await count(app, 'units'), before)
  // PostgreSQL holds it, whoever writes: raw SQL too.
  const raw = await refusal(app.db, sql`INSERT INTO units (level, parent_id, code, name, ac_number, ac_name, path, code_path)
    VALUES ('booth', ${northWard.id}, 'PS4', 'x', 12, 'Rampur West', '0', '')`)
  t.equal(raw?.constraint, 'assemblies_name_match')
})

t.test('a number without a name makes a placeholder that the first name fills', async (t) => {
  const unnamed = await booth(southWard, 'PS2', { acNumber: 13 })
  const placeholder = await get(`/v1/assemblies/${unnamed.json.assemblyId}`)
  t.equal(placeholder.json.name, 'AC 13')
  const named = await booth(southWard, 'PS3', { acNumber: 13, acName: 'Sitapur' })
  t.equal(named.json.assemblyId, unnamed.json.assemblyId)
  t.equal((await get(`/v1/assemblies/${unnamed.json.assemblyId}`)).json.name, 'Sitapur')
  t.equal((await booth(southWard, 'PS4', { acNumber: 13, acName: 'Sitapur North' })).json.code, 'assembly_name_mismatch', 'named now: no other name')
})

t.test('a booth that changes number, or moves to another state, changes constituency', async (t) => {
  const b = await booth(northWard, 'PS5', { acNumber: 12 })
  const to13 = await call(app, { method: 'PATCH', url: `/v1/units/${b.json.id}`, payload: { acNumber: 13 } })
  t.equal(to13.status, 200)
  const thirteen = (await get('/v1/assemblies?stateId=' + state.id + '&number=13')).json.items[0]
  t.equal(to13.json.assemblyId, thirteen.id)
  const cleared = await call(app, { method: 'PATCH', url: `/v1/units/${b.json.id}`, payload: { acNumber: null } })
  t.equal(cleared.json.assemblyId, null)

  // A ward moves to a district of another state: its booths join that state's constituency 12.
  const other = await createUnit(app, { level: 'state', code: 'ASN', name: 'Neighbour State' })
  const otherDistrict = await createUnit(app, { level: 'district', parentId: other.id, code: 'D1', name: 'D1' })
  const otherBlock = await createUnit(app, { level: 'block', parentId: otherDistrict.id, code: 'B9', name: 'B9' })
  const movingWard = await createUnit(app, { level: 'ward', parentId: northWard.parentId, code: 'W2', name: 'Moving' })
  const moving = await booth(movingWard, 'PS1', { acNumber: 12, acName: 'Rampur' })
  const moved = await call(app, { method: 'POST', url: `/v1/units/${movingWard.id}/move`, payload: { parentId: otherBlock.id } })
  t.equal(moved.status, 200)
  const after = (await get(`/v1/units/${moving.json.id}`)).json
  t.not(after.assemblyId, moving.json.assemblyId)
  t.match((await get(`/v1/assemblies/${after.assemblyId}`)).json, { stateCode: 'ASN', number: 12, name: 'Rampur', boothCount: 1 })
  t.same(await counterDrift(app.db), [], 'the counters stay exact')
})

t.test('lists: by state and number, filtered, in pages', async (t) => {
  const all = await get(`/v1/assemblies?stateId=${state.id}`)
  t.same(all.json.items.map((a: { number: number }) => a.number), [12, 13])
  t.equal(all.json.nextCursor, null)
  const first = await get(`/v1/assemblies?stateId=${state.id}&limit=1`)
  t.equal(first.json.items.length, 1)
  const second = await get(`/v1/assemblies?stateId=${state.id}&limit=1&cursor=${first.json.nextCursor}`)
  t.same(second.json.items.map((a: { number: number }) => a.number), [13])
  t.same((await get(`/v1/assemblies?districtId=${north.id}`)).json.items.map((a: { number: number }) => a.number), [12])
  t.same((await get('/v1/assemblies?q=sitap')).json.items.map((a: { name: string }) => a.name), ['Sitapur'])
  t.equal((await get('/v1/assemblies?limit=501')).status, 400)
  t.equal((await get('/v1/assemblies?cursor=bogus')).json.code, 'invalid_cursor')
  const booths = await get(`/v1/units?assemblyId=${all.json.items[0].id}`)
  t.same(booths.json.items.map((u: { codePath: string }) => u.codePath), ['ASM/NTH/B1/W1/PS1', 'ASM/NTH/B1/W1/PS2', 'ASM/STH/B1/W1/PS1'], 'the booths of a constituency')
})

t.test('a district\'s key sees the constituencies touching its district, counted over its own booths', async (t) => {
  const reader = await mintKey(app, 'reader', north.id)
  const seen = await get('/v1/assemblies', reader)
  t.same(seen.json.items.map((a: { number: number }) => a.number), [12], '13 has no booth in North')
  t.equal(seen.json.items[0].boothCount, 2, 'two of its three booths are in North')
  t.same(seen.json.items[0].districts.map((d: { code: string }) => d.code), ['NTH'])
  const thirteen = (await get(`/v1/assemblies?stateId=${state.id}&number=13`)).json.items[0]
  t.equal((await get(`/v1/assemblies/${thirteen.id}`, reader)).status, 404)
  const stateKey = await mintKey(app, 'reader', state.id)
  t.same((await get('/v1/assemblies', stateKey)).json.items.map((a: { number: number }) => a.number), [12, 13])
})

t.test('admins of the whole state rename a constituency; its booths follow', async (t) => {
  const twelve = (await get(`/v1/assemblies?stateId=${state.id}&number=12`)).json.items[0]
  const read = await get(`/v1/assemblies/${twelve.id}`)
  const districtAdmin = await mintKey(app, 'admin', north.id)
  const editor = await mintKey(app, 'editor', state.id)
  const patch = (payload: Record<string, unknown>, key?: string, headers: Record<string, string> = {}) =>
    call(app, { method: 'PATCH', url: `/v1/assemblies/${twelve.id}`, payload, headers }, key)

  t.equal((await patch({ name: 'Rampur Sadar' }, districtAdmin)).json.code, 'outside_scope', 'its booths lie in two districts')
  t.equal((await patch({ name: 'Rampur Sadar' }, editor)).json.code, 'admins_only')
  t.equal((await patch({ reserved: 'OBC' })).status, 400)
  t.equal((await patch({ name: 'Rampur Sadar' }, undefined, { 'if-match': '"999"' })).status, 412)

  const renamed = await patch({ name: 'Rampur Sadar', localName: 'रामपुर सदर', reserved: 'SC' }, undefined, { 'if-match': read.headers.etag as string })
  t.equal(renamed.status, 200)
  t.match(renamed.json, { name: 'Rampur Sadar', localName: 'रामपुर सदर', reserved: 'SC' })
  t.not(renamed.headers.etag, read.headers.etag)
  const names = await rows<{ ac_name: string | null }>(app.db, sql`SELECT DISTINCT ac_name FROM units WHERE assembly_id = ${twelve.id}`)
  t.same(names.map(n => n.ac_name), ['Rampur Sadar'], 'every booth\'s acName, including the one that gave none')
  t.equal((await booth(northWard, 'PS6', { acNumber: 12, acName: 'Rampur Sadar' })).status, 201, 'the new name is the one booths give now')

  const audit = await get(`/v1/audit?entityType=assembly&entityId=${twelve.id}`)
  t.match(audit.json.items[0], { action: 'update', entityType: 'assembly', before: { name: 'Rampur' }, after: { name: 'Rampur Sadar', reserved: 'SC' } })
})

t.test('the units import creates constituencies and refuses another name, by line', async (t) => {
  const HEADER = 'state,state_name,district,district_name,block,block_name,ward,ward_name,booth,booth_name,ac_number,ac_name,ps_number'
  const res = await postImport(app, 'units', csv(HEADER,
    'ASI,Import State,D1,One,B1,,W1,,PS1,,40,Kheri,1',
    'ASI,,D1,,B1,,W1,,PS2,,40,,2',
    'ASI,,D1,,B1,,W1,,PS3,,40,Kheri South,3',
    'ASI,,D1,,B1,,W1,,PS4,,41,Dhaurahra,4',
    'ASM,,NTH,,B1,,W1,,PS7,,12,Rampur,7'),
  { query: 'mode=partial' })
  t.equal(res.status, 200)
  t.same(res.json.errors.map((e: any) => [e.line, e.column, e.code]), [
    [4, 'ac_name', 'assembly_name_mismatch'],
    [6, 'ac_name', 'assembly_name_mismatch']
  ], 'another name than an earlier row, or than the constituency already has')
  t.same(res.json.counts, { rows: 5, created: 3, updated: 0, unchanged: 0, failed: 2 })
  const imported = (await get('/v1/assemblies?limit=500')).json.items.filter((a: { stateCode: string }) => a.stateCode === 'ASI')
  t.same(imported.map((a: { number: number, name: string, boothCount: number }) => [a.number, a.name, a.boothCount]), [[40, 'Kheri', 2], [41, 'Dhaurahra', 1]])
})

t.test('a constituency\'s coverage by district, block or ward, its gaps and its vacancies, JSON and CSV', async (t) => {
  const twelve = (await get(`/v1/assemblies?stateId=${state.id}&number=12`)).json.items[0]
  const boothsOf12 = await rows<{ id: string, code_path: string }>(app.db, sql`SELECT id, code_path FROM units WHERE assembly_id = ${twelve.id} ORDER BY code_path`)
  // A president at the first booth of 12 in North and at the one in South.
  const presided = [boothsOf12[0], boothsOf12.find(b => b.code_path.startsWith('ASM/STH/'))!]
  for (const b of presided) {
    const { person } = await activeMember(app, b.id, `President ${b.code_path}`)
    await appoint(app, { personId: person.id, unitId: b.id, role: 'president' })
  }
  const naive = await rows<{ district: string, total: number, covered: number }>(app.db, sql`
    SELECT split_part(b.code_path, '/', 2) AS district, count(*)::int AS total,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM appointments a WHERE a.unit_id = b.id AND a.role_code = 'president' AND a.wing_code = 'main' AND a.end_date IS NULL))::int AS covered
      FROM units b WHERE b.assembly_id = ${twelve.id} GROUP BY 1 ORDER BY 1`)

  const byDistrict = await get(`/v1/assemblies/${twelve.id}/coverage?by=district`)
  t.equal(byDistrict.status, 200)
  t.same(byDistrict.json.children.map((c: any) => [c.code, c.totalBooths, c.coveredBooths]), naive.map(n => [n.district, n.total, n.covered]), 'equal to a naive recount')
  t.match(byDistrict.json.assembly, { number: 12, name: 'Rampur Sadar', totalBooths: boothsOf12.length, coveredBooths: 2, activeMembers: 2, officeBearers: 2 })
  const byBlock = await get(`/v1/assemblies/${twelve.id}/coverage`)
  t.equal(byBlock.json.by, 'block')
  t.same(byBlock.json.children.map((c: any) => c.level), ['block', 'block'])
  const byWard = await get(`/v1/assemblies/${twelve.id}/coverage?by=ward&role=bla`)
  t.equal(byWard.json.assembly.coveredBooths, 0, 'no BLA anywhere')
  t.equal((await get(`/v1/assemblies/${twelve.id}/coverage?role=district_president`)).status, 422)

  const csvRes = await get(`/v1/assemblies/${twelve.id}/coverage?by=district&format=csv`)
  t.match(csvRes.headers['content-type'], /^text\/csv/)
  const lines = csvRes.body.replace(/^\ufeff/, '').trim().split(/\r?\n/)
  t.equal(lines.length, 1 + 1 + naive.length, 'header, the constituency, a row per district')
  t.match(lines[1], /^ASM,12,Rampur Sadar,assembly,/)

  const reader = await mintKey(app, 'reader', north.id)
  const seen = await get(`/v1/assemblies/${twelve.id}/coverage?by=district`, reader)
  t.same(seen.json.children.map((c: any) => c.code), ['NTH'], 'a district\'s key: its own booths only')
  t.equal(seen.json.assembly.totalBooths, naive.find(n => n.district === 'NTH')!.total)

  // Gaps: the constituency's booths without a president, from the state (or a narrower unit).
  const gaps = await get(`/v1/units/${state.id}/gaps?role=president&assemblyId=${twelve.id}`)
  t.same(gaps.json.items.map((g: any) => g.codePath), boothsOf12.filter(b => !presided.includes(b)).map(b => b.code_path))
  const northGaps = await get(`/v1/units/${north.id}/gaps?role=president&assemblyId=${twelve.id}&format=csv`)
  const gapLines = northGaps.body.replace(/^\ufeff/, '').trim().split(/\r?\n/).slice(1)
  t.same(gapLines.map(l => l.split(',')[0]), boothsOf12.filter(b => b.code_path.startsWith('ASM/NTH/') && !presided.includes(b)).map(b => b.code_path))
  t.match(northGaps.headers['content-disposition'], /filename="gaps-president-ASM_NTH-AC12\.csv"/, 'the file is named for the constituency')
  t.equal((await get(`/v1/units/${state.id}/gaps?level=ward&assemblyId=${twelve.id}`)).json.code, 'assembly_groups_booths')
  t.equal((await get(`/v1/units/${state.id}/gaps?assemblyId=6a0b2a44-2b51-4c77-9d7b-2a8f3b1f0c11`)).json.code, 'assembly_not_found')
  const thirteen = (await get(`/v1/assemblies?stateId=${state.id}&number=13`)).json.items[0]
  t.equal((await get(`/v1/units/${north.id}/vacancies?assemblyId=${thirteen.id}`, reader)).json.code, 'assembly_not_found', 'a constituency the key cannot see')

  // Vacancies: only the constituency's booth posts, counted over its booths.
  const vacant = await get(`/v1/units/${state.id}/vacancies?assemblyId=${twelve.id}&perGroup=1`)
  t.equal(vacant.status, 200)
  t.same(vacant.json.items.map((g: any) => g.level), vacant.json.items.map(() => 'booth'), 'booth posts only')
  const presidents = vacant.json.items.find((g: any) => g.role === 'president')
  t.equal(presidents.vacant, boothsOf12.length - presided.length)
  t.match(presidents.more, `assemblyId=${twelve.id}`)
  const bla = vacant.json.items.find((g: any) => g.role === 'bla')
  t.equal(bla.vacant, boothsOf12.length, 'no BLA at any of its booths')
  const vacantCsv = await get(`/v1/units/${state.id}/vacancies?assemblyId=${twelve.id}&format=csv`)
  const vacantRows = vacantCsv.body.replace(/^\ufeff/, '').trim().split(/\r?\n/).slice(1)
  t.equal(vacantRows.length, vacant.json.items.reduce((n: number, g: any) => n + g.vacant, 0), 'the CSV lists every one')
  t.ok(vacantRows.every(r => boothsOf12.some(b => r.startsWith(b.code_path + ','))), 'all of them booths of the constituency')
  t.same(await counterDrift(app.db), [], 'the counters stay exact')
})

t.test('the state\'s coverage by constituency: from counters kept exact through every change, scoped, paged, CSV', async (t) => {
  /** Each constituency's figures recounted from the base tables, over the booths under the unit (where it is now). */
  const naive = async (unit: Unit) => rows<{ number: number, total: number, covered: number, committees: number, active: number, bearers: number, handles: number }>(app.db, sql`
    SELECT a.number, count(*)::int AS total,
           count(*) FILTER (WHERE (SELECT count(*) FROM appointments x WHERE x.unit_id = b.id AND x.wing_code = 'main' AND x.role_code = 'president' AND x.end_date IS NULL)
                                  >= (SELECT coalesce(seats, 1) FROM roles WHERE wing_code = 'main' AND code = 'president'))::int AS covered,
           count(*) FILTER (WHERE (SELECT count(*) FROM appointments x WHERE x.unit_id = b.id AND x.wing_code = 'main' AND x.end_date IS NULL) >= 1)::int AS committees,
           coalesce(sum((SELECT count(*) FROM memberships m WHERE m.booth_id = b.id AND m.status = 'current' AND m.grade = 'active')), 0)::int AS active,
           coalesce(sum((SELECT count(*) FROM appointments x WHERE x.unit_id = b.id AND x.wing_code = 'main' AND x.end_date IS NULL)), 0)::int AS bearers,
           coalesce(sum((SELECT count(*) FROM appointments x JOIN people p ON p.id = x.person_id
                           WHERE x.unit_id = b.id AND x.wing_code = 'main' AND x.end_date IS NULL AND p.handle_platforms <> '{}')), 0)::int AS handles
      FROM units b JOIN assemblies a ON a.id = b.assembly_id JOIN units top ON top.id = ${unit.id}
     WHERE b.level = 'booth' AND b.path <@ top.path
     GROUP BY a.number ORDER BY a.number`)
  const report = async (unit: Unit, key?: string) => {
    const res = await get(`/v1/units/${unit.id}/coverage?by=assembly&minCommittee=1`, key)
    t.equal(res.status, 200, res.status === 500 ? JSON.stringify(logs.filter(l => l.err).at(-1)) : res.body)
    return res.json.children.map((c: any) => ({ number: c.number, total: c.totalBooths, covered: c.coveredBooths, committees: c.boothsWithCommittee, active: c.activeMembers, bearers: c.officeBearers, handles: c.officeBearersWithHandle }))
  }
  const exact = async (step: string) => {
    t.same(await report(state), await naive(state), `${step}: the state by constituency equals a recount`)
    t.same(await report(north), await naive(north), `${step}: North, over its own booths`)
    t.same(await report(northWard), await naive(northWard), `${step}: a ward, from its booths`)
    t.same(await counterDrift(app.db), [], `${step}: the counters equal a full recount`)
  }
  await exact('as left by the tests above')

  const stateReport = await get(`/v1/units/${state.id}/coverage?by=assembly`)
  t.match(stateReport.json, { by: 'assembly', role: 'president', unit: { unitId: state.id, level: 'state' } })
  t.match(stateReport.json.children[0], { number: 12, name: 'Rampur Sadar', localName: 'रामपुर सदर', reserved: 'SC' })
  t.ok(stateReport.json.unit.totalBooths > stateReport.json.children.reduce((n: number, c: any) => n + c.totalBooths, 0), 'booths without an AC number count in the unit\'s row only')

  // Every kind of write that moves a constituency's figures.
  const twelve = (await get(`/v1/assemblies?stateId=${state.id}&number=12`)).json.items[0]
  const [b1, b2] = await rows<{ id: string }>(app.db, sql`SELECT id FROM units WHERE assembly_id = ${twelve.id} AND code_path LIKE 'ASM/NTH/%' ORDER BY code_path LIMIT 2`)
  const { person, membership } = await activeMember(app, b1.id, 'Counted One')
  const term = await appoint(app, { personId: person.id, unitId: b1.id, role: 'secretary' })
  await exact('a member enrolled and appointed')
  t.equal((await call(app, { method: 'PATCH', url: `/v1/people/${person.id}`, payload: { handles: { twitter: '@counted_one' } } })).status, 200)
  await exact('a handle added')
  t.equal((await call(app, { method: 'PATCH', url: '/v1/roles/president', payload: { seats: 2 } })).status, 200)
  await exact('the president\'s seats raised')
  t.equal((await call(app, { method: 'PATCH', url: '/v1/roles/president', payload: { seats: 1 } })).status, 200)
  t.equal((await call(app, { method: 'PATCH', url: `/v1/units/${b1.id}`, payload: { acNumber: 13, acName: 'Sitapur' } })).status, 200)
  await exact('a booth given another AC number')
  t.equal((await call(app, { method: 'POST', url: `/v1/units/${b1.id}/move`, payload: { parentId: (await createUnit(app, { level: 'ward', parentId: southWard.parentId, code: 'W5', name: 'W5' })).id } })).status, 200)
  await exact('the booth moved to another district')
  t.equal((await call(app, { method: 'POST', url: `/v1/units/${northWard.id}/move`, payload: { parentId: (await createUnit(app, { level: 'block', parentId: south.id, code: 'B7', name: 'B7' })).id } })).status, 200)
  await exact('a ward moved to another district, its booths with it')
  t.equal((await call(app, { method: 'PATCH', url: `/v1/memberships/${membership.id}`, payload: { status: 'lapsed', endAppointments: true } })).status, 200)
  await exact('the membership lapsed with its terms')
  t.equal((await call(app, { method: 'DELETE', url: `/v1/units/${b2.id}` })).status, 204)
  await exact('a booth deleted')
  t.ok(term.id)

  // Conventions: pages by number, CSV, refusals, scope.
  const first = await get(`/v1/units/${state.id}/coverage?by=assembly&limit=1`)
  t.equal(first.json.children.length, 1)
  const second = await get(`/v1/units/${state.id}/coverage?by=assembly&limit=1&cursor=${first.json.nextCursor}`)
  t.same(second.json.children.map((c: any) => c.number), [13])
  t.equal(second.json.unit.unitId, state.id, 'every page brings the unit\'s row')
  t.equal((await get(`/v1/units/${state.id}/coverage?by=assembly&level=district`)).json.code, 'by_with_level')
  t.equal((await get(`/v1/units/${state.id}/coverage?by=district`)).status, 400)
  const csvRes = await get(`/v1/units/${state.id}/coverage?by=assembly&format=csv`)
  t.match(csvRes.headers['content-disposition'], /coverage-president-ASM-by-assembly\.csv/)
  const lines = csvRes.body.replace(/^\ufeff/, '').trim().split(/\r?\n/)
  t.match(lines[1], /^ASM,ASM,Assembly State,state,/, 'the unit first')
  t.match(lines[2], /^ASM,12,Rampur Sadar,assembly,/, 'then each constituency, its number as the code')
  t.equal(lines.length, 2 + (await naive(state)).length)
  const reader = await mintKey(app, 'reader', north.id)
  t.equal((await get(`/v1/units/${state.id}/coverage?by=assembly`, reader)).status, 404, 'the state is outside a district key\'s reach')
})
