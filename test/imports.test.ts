import { sql } from 'drizzle-orm'
import t from 'tap'
import { rows } from '../src/db/client.js'
import { buildTestApp, call, mintKey } from './helpers/app.js'
import { counterDrift } from './helpers/counters.js'
import { count, csv, ndjson, personByVoterId, postImport, standing } from './helpers/imports.js'
import { activeMember, appoint, createPerson, enrol } from './helpers/people.js'

const { app } = await buildTestApp(t)

const UNITS_HEADER = 'state,state_name,district,district_name,block,block_name,ward,ward_name,booth,booth_name,ac_number,ac_name,ps_number'
const lookup = async (path: string) => (await call(app, { method: 'GET', url: `/v1/units/lookup?path=${encodeURIComponent(path)}` })).json

/** A tree to appoint presidents in: UP/LKO/B03/W12 with booths PS1..PS9, and district AGR with one booth. */
async function presidentsTree (prefix: string) {
  const booths = Array.from({ length: 9 }, (_, i) => `${prefix},Uttar Pradesh,LKO,Lucknow,B03,Nagar,W12,Ward 12,PS${i + 1},Booth ${i + 1},72,Lucknow North,${i + 1}`)
  const res = await postImport(app, 'units', csv(UNITS_HEADER, ...booths, `${prefix},,AGR,Agra,B01,Block 1,W01,Ward 1,PS1,Agra booth,86,,1`))
  if (res.status !== 200) throw new Error(`tree: ${res.status} ${res.body}`)
  const booth = async (n: number) => (await lookup(`${prefix}/LKO/B03/W12/PS${n}`)).id as string
  return { booth, path: (n: number) => `${prefix}/LKO/B03/W12/PS${n}`, agra: `${prefix}/AGR/B01/W01/PS1` }
}

t.test('units: missing ancestors are created, existing units updated by code path, a rerun changes nothing', async (t) => {
  const file = csv(UNITS_HEADER,
    'UA,Uttar Pradesh,LKO,Lucknow,B03,Lucknow Nagar,W12,Ward 12,AC072-PS0145,"Primary School, Aliganj",72,Lucknow North,145',
    'UA,,LKO,,B03,,W12,,AC072-PS0146,Booth 146,72,,146',
    'UA,,LKO,,B04,Chinhat,,,,,,,')
  const first = await postImport(app, 'units', file)
  t.equal(first.status, 200)
  t.equal(first.json.status, 'succeeded')
  t.same(first.json.counts, { rows: 3, created: 3, updated: 0, unchanged: 0, failed: 0 })
  const booth = await lookup('UA/LKO/B03/W12/AC072-PS0145')
  t.match(booth, { level: 'booth', name: 'Primary School, Aliganj', acNumber: 72, acName: 'Lucknow North', psNumber: '145' })
  t.match(await lookup('UA/LKO'), { level: 'district', name: 'Lucknow' })
  t.match(await lookup('UA/LKO/B04'), { level: 'block', name: 'Chinhat' })

  const again = await postImport(app, 'units', file)
  t.same(again.json.counts, { rows: 3, created: 0, updated: 0, unchanged: 3, failed: 0 }, 'the same file twice: every row unchanged')

  const changed = await postImport(app, 'units', csv(UNITS_HEADER,
    'UA,,LKO,Lucknow District,B03,,W12,,AC072-PS0145,,,,145A',
    'UA,,LKO,,B03,,W12,,AC072-PS0146,,,,',
    'UA,,LKO,,B03,,W12,,AC072-PS0147,Booth 147,,,'))
  t.same(changed.json.counts, { rows: 3, created: 1, updated: 1, unchanged: 1, failed: 0 })
  t.match(await lookup('UA/LKO'), { name: 'Lucknow District' })
  const updated = await lookup('UA/LKO/B03/W12/AC072-PS0145')
  t.match(updated, { id: booth.id, name: 'Primary School, Aliganj', psNumber: '145A', acNumber: 72 }, 'an empty cell leaves the field as it is')
  const tagged = await rows<{ import_id: string }>(app.db, sql`SELECT import_id FROM units WHERE id = ${booth.id}`)
  t.equal(tagged[0].import_id, changed.json.id, 'the unit carries the id of the import that last changed it')
  t.same(await counterDrift(app.db), [], 'coverage counters stay exact')
})

t.test('units: NDJSON, a byte-order mark, Hindi names and case-insensitive columns in any order', async (t) => {
  const nd = await postImport(app, 'units', '\ufeff' + ndjson(
    { State: 'UB', STATE_NAME: 'उत्तर प्रदेश', district: 'vns', district_name: 'वाराणसी' },
    { state: 'UB', district: 'VNS', block: 'B1', ward: 'W1', booth: 'ps1', booth_name: 'प्राथमिक विद्यालय', ac_number: 390, ps_number: null }),
  { contentType: 'application/x-ndjson' })
  t.equal(nd.status, 200)
  t.same(nd.json.counts, { rows: 2, created: 2, updated: 0, unchanged: 0, failed: 0 })
  t.match(await lookup('UB/VNS'), { name: 'वाराणसी' })
  t.match(await lookup('UB/VNS/B1/W1/PS1'), { name: 'प्राथमिक विद्यालय', acNumber: 390 })
  t.match(await lookup('UB/VNS/B1'), { name: 'B1' }, 'an ancestor named nowhere in the file is named after its code')

  const bom = await postImport(app, 'units', '\ufeff  Booth_Name ,STATE,District,block,ward,booth\r\nनया नाम,UB,VNS,B1,W1,PS1\r\n', { contentType: 'text/csv; charset=utf-8' })
  t.equal(bom.status, 200)
  t.same(bom.json.counts, { rows: 1, created: 0, updated: 1, unchanged: 0, failed: 0 })
  t.match(await lookup('UB/VNS/B1/W1/PS1'), { name: 'नया नाम' })
})

t.test('an unknown or missing column refuses the whole file, naming it', async (t) => {
  const unknown = await postImport(app, 'units', csv('state,state_name,distrcit', 'UX,Somewhere,LKO'))
  t.equal(unknown.status, 400)
  t.match(unknown.headers['content-type'], /application\/problem\+json/)
  t.equal(unknown.json.code, 'unknown_column')
  t.equal(unknown.json.column, 'distrcit')
  t.match(unknown.json.detail, /distrcit/)
  t.equal(await count(app, 'units', sql`code = 'UX'`), 0)
  const record = await call(app, { method: 'GET', url: `/v1/imports/${unknown.json.importId}` })
  t.match(record.json, { status: 'failed', errors: [{ line: 1, column: 'distrcit', code: 'unknown_column' }] }, 'the refused file leaves a failed import record')

  const nd = await postImport(app, 'booth-presidents', ndjson({ booth: 'X/Y', name: 'A', phone: '9876543210', mobile: '1' }), { contentType: 'application/x-ndjson' })
  t.equal(nd.status, 400)
  t.equal(nd.json.code, 'unknown_column')
  t.equal(nd.json.column, 'mobile')

  const missing = await postImport(app, 'booth-presidents', csv('name,phone', 'A,9876543210'))
  t.equal(missing.json.code, 'missing_column')
  t.equal(missing.json.column, 'booth')
})

t.test('units: rows that cannot be read or contradict each other are reported by line', async (t) => {
  const res = await postImport(app, 'units', csv(UNITS_HEADER,
    'UC,,LKO,,B1,,W1,,PS1,,,,',
    'UC,,LKO,,,,W1,,PS2,,,,',
    'UC,,LKO,,B1,,W1,,PS1,,,,',
    'UC,,LKO,Lucknow,,,,,,,,,',
    'UC,,LKO,Lakhnau,B2,,,,,,,,',
    'uc,,lko,,b1,,w1,,ps3,,72,,145',
    'UC,,LKO,,B1,,W1,,PS4,,12345,,',
    'UC,,LKO/X,,,,,,,,,,'),
  { query: 'mode=partial' })
  t.equal(res.status, 200)
  t.equal(res.json.status, 'partial')
  t.same(res.json.errors.map((e: any) => [e.line, e.column, e.code]), [
    [3, 'block', 'missing_parent_code'],
    [4, 'booth', 'duplicate_unit'],
    [6, 'district_name', 'conflicting_name'],
    [8, 'ac_number', 'invalid_number'],
    [9, 'district', 'invalid_code']
  ])
  t.same(res.json.counts, { rows: 8, created: 3, updated: 0, unchanged: 0, failed: 5 })
  t.match(await lookup('UC/LKO/B1/W1/PS3'), { acNumber: 72, psNumber: '145' }, 'codes are upper-cased')
})

t.test('booth presidents: new people are created, enrolled as active members at home and appointed; a rerun is unchanged', async (t) => {
  const tree = await presidentsTree('PA')
  const file = csv('booth,name,phone,voter_id,role,start_date,twitter,facebook,instagram,youtube',
    `${tree.path(1)},Asha Devi,+91 98111 00001,ABC1000001,,2025-01-15,@asha,,,`,
    `${tree.path(1)},Ravi Kumar,09811100002,,bla,15/01/2025,,,,`,
    `${await tree.booth(2)},सुनीता यादव,,abc1000003,President,,,,,`)
  const res = await postImport(app, 'booth-presidents', file)
  t.equal(res.status, 200)
  t.same(res.json.counts, { rows: 3, created: 3, updated: 0, unchanged: 0, failed: 0 })
  t.equal(res.headers.location, `/v1/imports/${res.json.id}`)

  const asha = await personByVoterId(app, 'ABC1000001')
  t.match(asha, { name: 'Asha Devi', phone: '+919811100001', home_booth_id: await tree.booth(1), twitter: 'asha', import_id: res.json.id })
  const ashaStanding = await standing(app, asha.id)
  t.match(ashaStanding.membership, { booth_id: await tree.booth(1), grade: 'active', import_id: res.json.id })
  t.match(ashaStanding.terms, [{ unit_id: await tree.booth(1), role_code: 'president', start_date: '2025-01-15', import_id: res.json.id }])
  const [ravi] = await rows<{ id: string }>(app.db, sql`SELECT id FROM people WHERE phone = '+919811100002'`)
  t.match((await standing(app, ravi.id)).terms, [{ role_code: 'bla', start_date: '2025-01-15' }], 'role bla, a day-first date')
  const sunita = await personByVoterId(app, 'ABC1000003')
  t.equal(sunita.name, 'सुनीता यादव')
  t.equal((await standing(app, sunita.id)).terms[0].start_date, (await rows<{ d: string }>(app.db, sql`SELECT india_today()::text AS d`))[0].d, 'start date defaults to today')

  const again = await postImport(app, 'booth-presidents', file)
  t.same(again.json.counts, { rows: 3, created: 0, updated: 0, unchanged: 3, failed: 0 }, 'the same file twice: every row unchanged')
  t.equal(await count(app, 'people', sql`voter_id IN ('ABC1000001', 'ABC1000003') OR phone = '+919811100002'`), 3, 'nobody twice')
  t.same(await counterDrift(app.db), [], 'coverage counters stay exact')

  const audit = await call(app, { method: 'GET', url: `/v1/audit?entityType=import&entityId=${res.json.id}` })
  t.equal(audit.json.items.length, 1, 'one audit record per import')
  t.match(audit.json.items[0], { action: 'import', entityType: 'import', after: { kind: 'booth_presidents', counts: { created: 3 } } })
})

t.test('booth presidents: matching existing people by voter ID, then by a phone only one person has', async (t) => {
  const tree = await presidentsTree('PB')
  const home = await tree.booth(9)
  const byVoter = await createPerson(app, { name: 'Old Name', homeBoothId: home, voterId: 'PBV0000001', phone: '9822200001' })
  const byPhone = await createPerson(app, { name: 'Phone Only', homeBoothId: home, phone: '9822200002' })
  const primary = await createPerson(app, { name: 'Primary Member', homeBoothId: await tree.booth(3), voterId: 'PBV0000003' })
  await enrol(app, { personId: primary.id, boothId: await tree.booth(3), grade: 'primary' })
  const elsewhere = await activeMember(app, home, 'Member Elsewhere', { voterId: 'PBV0000004' })
  await createPerson(app, { name: 'Family A', homeBoothId: home, phone: '9822200005' })
  await createPerson(app, { name: 'Family B', homeBoothId: home, phone: '9822200005' })

  const res = await postImport(app, 'booth-presidents', csv('booth,name,phone,voter_id',
    `${tree.path(1)},New Name,9822200009,pbv0000001`,
    `${tree.path(2)},Phone Only,9822200002,PBV0000002`,
    `${tree.path(3)},Primary Member,,PBV0000003`,
    `${tree.path(4)},Member Elsewhere,,PBV0000004`,
    `${tree.path(5)},Family A,9822200005,`,
    `${tree.path(6)},Someone,9822200002,PBV0000001`))
  t.same(res.json.errors.map((e: any) => [e.line, e.column, e.code]), [[6, 'phone', 'ambiguous_phone'], [7, 'phone', 'identity_conflict']])
  t.equal(res.status, 422, 'all or nothing: two bad rows and nothing is written')
  t.equal(res.json.code, 'import_failed')
  t.equal(res.json.importStatus, 'failed')
  t.same(res.json.counts, { rows: 6, created: 4, updated: 0, unchanged: 0, failed: 2 }, 'counts say what the rows would have done')
  t.equal((await personByVoterId(app, 'PBV0000001')).name, 'Old Name', 'nothing written')
  t.notMatch(res.body, /98222|PBV|Family|Old Name/, 'row errors carry no personal data')

  const partial = await postImport(app, 'booth-presidents', csv('booth,name,phone,voter_id',
    `${tree.path(1)},New Name,9822200009,pbv0000001`,
    `${tree.path(2)},Phone Only,9822200002,PBV0000002`,
    `${tree.path(3)},Primary Member,,PBV0000003`,
    `${tree.path(4)},Member Elsewhere,,PBV0000004`), { query: 'mode=partial' })
  t.same(partial.json.counts, { rows: 4, created: 4, updated: 0, unchanged: 0, failed: 0 })
  const matched = await personByVoterId(app, 'PBV0000001')
  t.match(matched, { id: byVoter.id, name: 'New Name', phone: '+919822200009', home_booth_id: await tree.booth(1) }, 'matched by voter ID; name, phone and home updated')
  t.equal((await personByVoterId(app, 'PBV0000002')).id, byPhone.id, 'matched by phone; the voter ID is filled in')
  t.match((await standing(app, primary.id)).membership, { grade: 'active', booth_id: await tree.booth(3) }, 'a primary member is made active')
  const moved = await standing(app, elsewhere.person.id)
  t.match(moved.membership, { id: elsewhere.membership.id, booth_id: await tree.booth(4), grade: 'active' }, 'a membership at another booth is transferred with the home booth')
  t.equal(await count(app, 'memberships', sql`person_id = ${elsewhere.person.id}`), 1)
})

t.test('booth presidents: a post held by someone else fails the row unless replace=true; a holder whose details change is updated', async (t) => {
  const tree = await presidentsTree('PC')
  const booth = await tree.booth(1)
  const holder = await activeMember(app, booth, 'Sitting President', { voterId: 'PCV0000001' })
  const term = await appoint(app, { personId: holder.person.id, unitId: booth, role: 'president', startDate: '2024-01-01' })
  const row = `${tree.path(1)},Challenger,9833300002,PCV0000002,,2025-02-01`
  const header = 'booth,name,phone,voter_id,role,start_date'

  const held = await postImport(app, 'booth-presidents', csv(header, row))
  t.equal(held.status, 422)
  t.match(held.json.errors, [{ line: 2, column: 'booth', code: 'post_held' }])
  t.notMatch(JSON.stringify(held.json.errors), /Sitting|PCV0000001/, 'the holder is not named')

  const early = await postImport(app, 'booth-presidents', csv(header, `${tree.path(1)},Challenger,9833300002,PCV0000002,,2023-06-01`), { query: 'replace=true' })
  t.match(early.json.errors, [{ code: 'replace_not_possible' }], 'a term cannot be replaced from before it began')

  const replaced = await postImport(app, 'booth-presidents', csv(header, row), { query: 'replace=true' })
  t.equal(replaced.status, 200)
  t.same(replaced.json.counts, { rows: 1, created: 1, updated: 0, unchanged: 0, failed: 0 })
  const ended = await call(app, { method: 'GET', url: `/v1/appointments/${term.id}` })
  t.match(ended.json, { endDate: '2025-02-01', endReason: 'replaced by import' })
  const [endedRow] = await rows<{ import_id: string }>(app.db, sql`SELECT import_id FROM appointments WHERE id = ${term.id}`)
  t.equal(endedRow.import_id, replaced.json.id, 'the ended term is traced to the import')

  const same = await postImport(app, 'booth-presidents', csv(header, `${tree.path(1)},Challenger,9833300002,PCV0000002,,2025-03-01`))
  t.same(same.json.counts, { rows: 1, created: 0, updated: 0, unchanged: 1, failed: 0 }, 'already holds the post: unchanged, whatever the start date')
  const renamed = await postImport(app, 'booth-presidents', csv('booth,name,voter_id,instagram', `${tree.path(1)},Challenger Singh,PCV0000002,@cs`))
  t.same(renamed.json.counts, { rows: 1, created: 0, updated: 1, unchanged: 0, failed: 0 })
  t.match(await personByVoterId(app, 'PCV0000002'), { name: 'Challenger Singh', phone: '+919833300002' }, 'an absent phone is kept')
  t.same(await counterDrift(app.db), [], 'coverage counters stay exact')
})

t.test('booth presidents: line numbers are where each record starts, across quoted line breaks, CRLF and blank lines', async (t) => {
  const tree = await presidentsTree('PD')
  const file = [
    'booth,name,phone,voter_id',
    `${tree.path(1)},"Multi`,
    'Line Name",9844400001,PDV0000001',
    '',
    `${tree.path(99)},Nobody,9844400002,PDV0000002`,
    `${tree.path(2)},"Quoted ""Name""",not-a-phone,PDV0000003`,
    `${tree.path(3)},,9844400004,PDV0000004`,
    ',,,',
    `${tree.path(4)},Short Row`,
    `${tree.path(5)},No Identity,,`,
    `${tree.path(6)},"Another`,
    '',
    'Break",9844400006,PDV0000006',
    `${tree.path(7)},Last Row,9844400007,PDV0000007`
  ].join('\r\n') + '\r\n'
  const res = await postImport(app, 'booth-presidents', file, { query: 'mode=partial&dryRun=true' })
  t.equal(res.status, 200)
  t.equal(res.json.status, 'dry_run')
  t.same(res.json.errors.map((e: any) => [e.line, e.column, e.code]), [
    [5, 'booth', 'booth_not_found'],
    [6, 'phone', 'invalid_phone'],
    [7, 'name', 'missing_value'],
    [9, null, 'wrong_field_count'],
    [10, 'voter_id', 'identity_required']
  ])
  t.same(res.json.counts, { rows: 8, created: 3, updated: 0, unchanged: 0, failed: 5 })
  t.equal(await count(app, 'people', sql`voter_id LIKE 'PDV%'`), 0, 'a dry run writes nothing')
  const record = await call(app, { method: 'GET', url: `/v1/imports/${res.json.id}` })
  t.same(record.json, res.json, 'the dry run is kept as an import record')

  const date = await postImport(app, 'booth-presidents', csv('booth,name,voter_id,start_date', `${tree.path(7)},Bad Date,PDV0000007,31/02/2025`), { query: 'dryRun=true' })
  t.match(date.json.errors, [{ line: 2, column: 'start_date', code: 'invalid_date' }])
})

t.test('booth presidents: one file cannot say two things about one post or one person', async (t) => {
  const tree = await presidentsTree('PE')
  const res = await postImport(app, 'booth-presidents', csv('booth,name,phone,voter_id',
    `${tree.path(1)},First,9855500001,PEV0000001`,
    `${tree.path(1)},Second,9855500002,PEV0000002`,
    `${tree.path(2)},First Again,9855500003,PEV0000001`,
    `${tree.path(3)},Shared Phone,9855500009,PEV0000004`,
    `${tree.path(4)},Phone Only,9855500009,`), { query: 'mode=partial' })
  t.same(res.json.errors.map((e: any) => [e.line, e.code]), [[3, 'duplicate_post'], [4, 'duplicate_person'], [6, 'phone_repeated']])
  t.equal(res.json.counts.created, 2)
})

t.test('partial mode writes the valid rows; all-or-nothing writes none', async (t) => {
  const tree = await presidentsTree('PF')
  const file = csv('booth,name,voter_id', `${tree.path(1)},Good One,PFV0000001`, `${tree.path(98)},Bad One,PFV0000002`, `${tree.path(2)},Good Two,PFV0000003`)
  const none = await postImport(app, 'booth-presidents', file)
  t.equal(none.status, 422)
  t.equal(await count(app, 'people', sql`voter_id LIKE 'PFV%'`), 0)
  const some = await postImport(app, 'booth-presidents', file, { query: 'mode=partial' })
  t.equal(some.status, 200)
  t.equal(some.json.status, 'partial')
  t.same(some.json.counts, { rows: 3, created: 2, updated: 0, unchanged: 0, failed: 1 })
  t.equal(await count(app, 'people', sql`voter_id LIKE 'PFV%'`), 2)
  t.equal(await count(app, 'appointments', sql`import_id = ${some.json.id}`), 2)
})

t.test('import records: read by id, listed newest first with a cursor, within the caller\'s scope', async (t) => {
  const list = await call(app, { method: 'GET', url: '/v1/imports?limit=2' })
  t.equal(list.status, 200)
  t.equal(list.json.items.length, 2)
  t.notOk('errors' in list.json.items[0], 'lists leave the row errors to the single record')
  const next = await call(app, { method: 'GET', url: `/v1/imports?limit=2&cursor=${list.json.nextCursor}` })
  t.equal(next.json.items.length, 2)
  t.ok(next.json.items[0].createdAt <= list.json.items[1].createdAt)
  t.notSame(next.json.items[0].id, list.json.items[1].id)
  const one = await call(app, { method: 'GET', url: `/v1/imports/${list.json.items[0].id}` })
  t.equal(one.json.id, list.json.items[0].id)
  t.ok(Array.isArray(one.json.errors))
  const missing = await call(app, { method: 'GET', url: '/v1/imports/00000000-0000-4000-8000-000000000000' })
  t.equal(missing.status, 404)
})

t.test('scope and role: a district importer stays in its district; an editor may not import', async (t) => {
  const tree = await presidentsTree('PG')
  const lucknow = await lookup('PG/LKO')
  const importer = await mintKey(app, 'importer', lucknow.id)
  const presidents = await postImport(app, 'booth-presidents', csv('booth,name,voter_id', `${tree.path(1)},In Scope,PGV0000001`, `${tree.agra},Out Of Scope,PGV0000002`), { key: importer, query: 'mode=partial' })
  t.equal(presidents.status, 200)
  t.same(presidents.json.errors.map((e: any) => [e.line, e.column, e.code]), [[3, 'booth', 'outside_scope']])

  const outsider = await createPerson(app, { name: 'Agra Person', homeBoothId: (await lookup(tree.agra)).id, voterId: 'PGV0000003' })
  const person = await postImport(app, 'booth-presidents', csv('booth,name,voter_id', `${tree.path(2)},Agra Person,PGV0000003`), { key: importer })
  t.match(person.json.errors, [{ code: 'person_outside_scope' }], 'nor may it move a person in from outside')
  t.equal((await personByVoterId(app, 'PGV0000003')).home_booth_id, outsider.homeBoothId)

  const units = await postImport(app, 'units', csv('state,state_name,district,block,ward,booth', 'PG,,LKO,B09,,', 'PG,,AGR,B09,,', 'PG,Renamed,LKO,B03,,'), { key: importer, query: 'mode=partial' })
  t.same(units.json.errors.map((e: any) => [e.line, e.column, e.code]), [[3, 'block', 'outside_scope'], [4, 'state', 'outside_scope']])
  t.equal(units.json.counts.created, 1)

  const theirs = [presidents.json.id, person.json.id, units.json.id].sort()
  const mine = await call(app, { method: 'GET', url: '/v1/imports' }, importer)
  t.same(mine.json.items.map((i: any) => i.id).sort(), theirs, 'a scoped key lists only imports made in its subtree')
  const all = await call(app, { method: 'GET', url: '/v1/imports?limit=50' })
  const global = all.json.items.find((i: any) => !theirs.includes(i.id))
  t.equal((await call(app, { method: 'GET', url: `/v1/imports/${global.id}` }, importer)).status, 404, 'nor reads a global import')

  const editor = await mintKey(app, 'editor')
  const refused = await postImport(app, 'units', csv('state', 'PG'), { key: editor })
  t.equal(refused.status, 403)
  t.equal(refused.json.code, 'insufficient_role')
})

t.test('Prefer: respond-async answers 202 with the running import; the report is polled', async (t) => {
  const tree = await presidentsTree('PH')
  const res = await postImport(app, 'booth-presidents', csv('booth,name,voter_id', `${tree.path(1)},Async Person,PHV0000001`), { headers: { prefer: 'respond-async' } })
  t.equal(res.status, 202)
  t.equal(res.headers['preference-applied'], 'respond-async')
  t.equal(res.headers.location, `/v1/imports/${res.json.id}`)
  t.equal(res.json.status, 'running')
  let report: any
  // Until it ends, however long a loaded machine takes (a count of polls was a clock in disguise).
  const deadline = Date.now() + 60_000
  for (;;) {
    report = (await call(app, { method: 'GET', url: res.headers.location as string })).json
    if (report.status !== 'running' || Date.now() > deadline) break
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  t.equal(report.status, 'succeeded')
  t.same(report.counts, { rows: 1, created: 1, updated: 0, unchanged: 0, failed: 0 })
})

t.test('the body must be CSV or NDJSON', async (t) => {
  const json = await call(app, { method: 'POST', url: '/v1/imports/units', payload: { state: 'UP' } })
  t.equal(json.status, 415)
  t.equal(json.json.code, 'unsupported_media_type')
  const empty = await postImport(app, 'units', '')
  t.equal(empty.status, 400)
  t.equal(empty.json.code, 'empty_file')
  const broken = await postImport(app, 'units', csv('state,state_name', 'UZ,"never closed'))
  t.equal(broken.status, 400)
  t.equal(broken.json.code, 'malformed_csv')
  t.equal(broken.json.line, 2)
})

t.test('the audit trail answers "who changed this person?" for imports too: one record per person', async (t) => {
  const tree = await presidentsTree('IAU')
  const sitting = await activeMember(app, await tree.booth(3), 'Sitting President')
  const term = await appoint(app, { personId: sitting.person.id, unitId: await tree.booth(3), role: 'president', startDate: '2024-01-01' })
  const res = await postImport(app, 'booth-presidents', csv('booth,name,voter_id,start_date',
    `${tree.path(2)},Audited New,IAU0000001,2025-01-01`,
    `${tree.path(3)},Audited Replacement,IAU0000002,2025-01-01`), { query: 'replace=true', headers: { 'x-request-id': 'import-audit-1' } })
  t.equal(res.status, 200)
  const person = await personByVoterId(app, 'IAU0000001')
  const trail = async (entityId: string) => (await call(app, { method: 'GET', url: `/v1/audit?entityId=${entityId}` })).json.items
  const records = await trail(person.id)
  t.equal(records.length, 1, 'one record for the person')
  t.match(records[0], {
    requestId: 'import-audit-1',
    action: 'import',
    entityType: 'person',
    entityId: person.id,
    unitId: await tree.booth(2),
    after: { importId: res.json.id, line: 2, person: 'created', membership: 'created', appointment: 'created' }
  })
  const replacedHolder = (await trail(sitting.person.id)).filter((r: any) => r.action === 'import')
  t.match(replacedHolder, [{ entityType: 'person', after: { importId: res.json.id, line: 3, endedTerm: term.id, endReason: 'replaced by import' } }],
    'the sitting holder whose term the import ended has a record too')
  const summary = (await call(app, { method: 'GET', url: `/v1/audit?entityType=import&entityId=${res.json.id}` })).json.items
  t.equal(summary.length, 1, 'beside the import summary record')
  const rerun = await postImport(app, 'booth-presidents', csv('booth,name,voter_id,start_date', `${tree.path(2)},Audited New,IAU0000001,2025-01-01`))
  t.equal(rerun.json.counts.unchanged, 1)
  t.equal((await trail(person.id)).length, 1, 'an unchanged row writes no record')
  const unitsImport = await postImport(app, 'units', csv('state,district,block,ward,booth', 'IAU,LKO,B03,W12,PS77'))
  t.equal(unitsImport.status, 200, unitsImport.body)
  const booth = await lookup('IAU/LKO/B03/W12/PS77')
  t.match(await trail(booth.id), [{ action: 'create', entityType: 'unit', after: { importId: unitsImport.json.id } }], 'a units import: one record per unit')
})
