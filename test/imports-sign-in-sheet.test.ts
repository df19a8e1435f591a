import { execFile } from 'node:child_process'
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import t from 'tap'
import { rows } from '../src/db/client.js'
import { indiaToday } from '../src/time.js'
import { ADMIN_KEY, buildTestApp, call, mintKey } from './helpers/app.js'
import { node } from './helpers/built.js'
import { counterDrift } from './helpers/counters.js'
import { csv, ndjson, postImport } from './helpers/imports.js'
import { activeMember, appoint, createPerson } from './helpers/people.js'

/**
 * A camp's sign-in sheet (src/imports/sign-in-sheet.ts): POST /v1/camps/{id}/sign-in-sheet
 * records a day of attendance per row, on the person's invitation or as a walk-in, with
 * the guarantees of the other imports.
 */
const { app } = await buildTestApp(t)

const HEADER = 'day,voter_id,phone,person_id,name,home_booth,gender'

/** YYYY-MM-DD, `n` days from today in India. */
const day = (n: number) => {
  const d = new Date(`${indiaToday()}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

async function importSheet (campId: string, body: string, options: { query?: string, key?: string, contentType?: string } = {}) {
  return call(app, {
    method: 'POST',
    url: `/v1/camps/${campId}/sign-in-sheet${options.query ? `?${options.query}` : ''}`,
    payload: body,
    headers: { 'content-type': options.contentType ?? 'text/csv' }
  }, options.key)
}

/** PREFIX/D1/B1/W1 with booths PS1 and PS2, and PREFIX/D2/B9/W9/PS1 (another district). */
async function tree (prefix: string) {
  const res = await postImport(app, 'units', csv('state,district,block,ward,booth',
    `${prefix},D1,B1,W1,PS1`, `${prefix},D1,B1,W1,PS2`, `${prefix},D2,B9,W9,PS1`))
  if (res.status !== 200) throw new Error(`tree: ${res.status} ${res.body}`)
  const unit = async (path: string) => (await call(app, { method: 'GET', url: `/v1/units/lookup?path=${encodeURIComponent(path)}` })).json
  return {
    state: await unit(prefix),
    district: await unit(`${prefix}/D1`),
    otherDistrict: await unit(`${prefix}/D2`),
    booth: await unit(`${prefix}/D1/B1/W1/PS1`),
    booth2: await unit(`${prefix}/D1/B1/W1/PS2`),
    farBooth: await unit(`${prefix}/D2/B9/W9/PS1`)
  }
}

async function createCamp (unitId: string, body: Record<string, unknown> = {}) {
  const res = await call(app, { method: 'POST', url: '/v1/camps', payload: { unitId, title: 'Booth committee shivir', startDate: day(-2), endDate: day(0), ...body } })
  if (res.status !== 201) throw new Error(`camp: ${res.status} ${res.body}`)
  return res.json
}

async function invite (campId: string, personIds: string[]) {
  const res = await call(app, { method: 'POST', url: `/v1/camps/${campId}/invitations`, payload: { personIds } })
  if (res.status !== 200) throw new Error(`invite: ${res.status} ${res.body}`)
}

async function invitations (campId: string, key?: string) {
  const res = await call(app, { method: 'GET', url: `/v1/camps/${campId}/invitations?limit=100` }, key)
  if (res.status !== 200) throw new Error(`invitations: ${res.status} ${res.body}`)
  return res.json.items as Array<{ personId: string, status: string, source: string, days: string[], qualifiedBy: unknown[] }>
}

const invitationOf = async (campId: string, personId: string) => (await invitations(campId)).find(i => i.personId === personId)

const attendanceAt = async (campId: string) => (await rows<{ n: number }>(app.db, sql`
  SELECT count(*)::int AS n FROM attendance a JOIN invitations i ON i.id = a.invitation_id WHERE i.camp_id = ${campId}`))[0].n

const errorsOf = (res: { json: any }) => res.json.errors.map((e: any) => [e.line, e.column, e.code])

t.test('a sheet of invited people checks them in; the same file again changes nothing', async (t) => {
  const u = await tree('SA')
  const asha = await activeMember(app, u.booth.id, 'Asha Devi', { voterId: 'ABC1000001', phone: '+919800000001' })
  await appoint(app, { personId: asha.person.id, unitId: u.booth.id, role: 'president' })
  const ravi = await activeMember(app, u.booth2.id, 'Ravi Kumar', { phone: '+919800000002' })
  const camp = await createCamp(u.district.id, { topics: ['booth_committee'], status: 'held' })
  await invite(camp.id, [asha.person.id, ravi.person.id])

  const file = csv(HEADER,
    `${day(-2)},abc1000001,,,,,`,
    `${day(-1)},,,${asha.person.id},,,`,
    `${day(-2)},,09800000002,,,,`)
  const first = await importSheet(camp.id, file)
  t.equal(first.status, 200, first.body)
  t.match(first.json, { kind: 'sign_in_sheet', status: 'succeeded', counts: { rows: 3, created: 3, updated: 0, unchanged: 0, failed: 0 } })
  t.equal(first.headers.location, `/v1/imports/${first.json.id}`)

  t.match(await invitationOf(camp.id, asha.person.id), { status: 'attended', source: 'manual', days: [day(-2), day(-1)] },
    'by voter ID (any case) and by person id: two days on one invitation')
  t.match(await invitationOf(camp.id, ravi.person.id), { status: 'attended', days: [day(-2)] }, 'by the phone only one person under the camp has')
  const report = await call(app, { method: 'GET', url: `/v1/camps/${camp.id}/report` })
  t.match(report.json.totals, { invited: 2, attended: 2, walkIns: 0 })
  const got = await call(app, { method: 'GET', url: `/v1/camps/${camp.id}` })
  t.match(got.json, { invited: 2, attended: 2, walkIns: 0 })
  const tagged = await rows<{ n: number }>(app.db, sql`SELECT count(*)::int AS n FROM attendance WHERE import_id = ${first.json.id}`)
  t.equal(tagged[0].n, 3, 'every day recorded carries the import id')
  const audited = await rows<{ entity_id: string, unit_id: string, day: string }>(app.db, sql`
    SELECT entity_id, unit_id, after->>'day' AS day FROM audit_log
     WHERE action = 'check_in' AND entity_type = 'invitation' AND after->>'importId' = ${first.json.id} ORDER BY 3, 1`)
  t.equal(audited.length, 3, 'one check_in audit record per day recorded')
  t.ok(audited.every(a => a.unit_id === u.district.id), 'at the camp\'s unit')
  t.same(await counterDrift(app.db), [], 'the training counters follow')

  const again = await importSheet(camp.id, file)
  t.equal(again.status, 200, again.body)
  t.same(again.json.counts, { rows: 3, created: 0, updated: 0, unchanged: 3, failed: 0 }, 'the same file twice: every row unchanged')
  t.equal(await attendanceAt(camp.id), 3)
  const listed = await call(app, { method: 'GET', url: '/v1/imports?kind=sign_in_sheet' })
  t.ok(listed.json.items.some((i: any) => i.id === again.json.id), 'the imports list filters by the new kind')
  t.same(await counterDrift(app.db), [])
})

t.test('walk-ins and new workers', async (t) => {
  const u = await tree('SB')
  const invited = await activeMember(app, u.booth.id, 'Invited One', { voterId: 'ABC2000001' })
  const walker = await activeMember(app, u.booth2.id, 'Walks In', { voterId: 'ABC2000002' })
  await appoint(app, { personId: walker.person.id, unitId: u.booth2.id, role: 'president' })
  const camp = await createCamp(u.district.id, { status: 'held' })
  await invite(camp.id, [invited.person.id])

  const file = csv(HEADER,
    `${day(-2)},ABC2000001,,,,,`,
    `${day(-2)},ABC2000002,,,,,`,
    `${day(-2)},ABC2000003,+91 98000 20003,,Naya Karyakarta,${u.booth.codePath},F`,
    `${day(-1)},ABC2000003,,,Naya Karyakarta,${u.booth.codePath},f`)
  const refused = await importSheet(camp.id, file)
  t.equal(refused.status, 422, 'without createPeople a person not found fails the row')
  t.same(errorsOf(refused), [[4, 'voter_id', 'person_not_found'], [5, 'voter_id', 'person_not_found']])

  const done = await importSheet(camp.id, file, { query: 'createPeople=true' })
  t.equal(done.status, 200, done.body)
  t.same(done.json.counts, { rows: 4, created: 4, updated: 0, unchanged: 0, failed: 0 })
  const walkIn = await invitationOf(camp.id, walker.person.id)
  t.match(walkIn, { source: 'walk_in', status: 'attended', days: [day(-2)] }, 'an uninvited person is a walk-in')
  t.equal(walkIn!.qualifiedBy.length, 1, 'the walk-in\'s post is recorded (person_posts)')
  const created = await rows<{ id: string, name: string, home_booth_id: string, phone: string, gender: string, import_id: string }>(app.db,
    sql`SELECT id, name, home_booth_id, phone, gender, import_id FROM people WHERE voter_id = 'ABC2000003'`)
  t.equal(created.length, 1, 'two rows of one new worker make one person')
  t.match(created[0], { name: 'Naya Karyakarta', home_booth_id: u.booth.id, phone: '+919800020003', gender: 'female', import_id: done.json.id })
  t.match(await invitationOf(camp.id, created[0].id), { source: 'walk_in', status: 'attended', days: [day(-2), day(-1)] })
  const walkInIds = await rows<{ import_id: string }>(app.db, sql`SELECT import_id FROM invitations WHERE camp_id = ${camp.id} AND source = 'walk_in'`)
  t.same(walkInIds.map(r => r.import_id), [done.json.id, done.json.id], 'walk-in invitations carry the import id')
  const report = await call(app, { method: 'GET', url: `/v1/camps/${camp.id}/report` })
  t.match(report.json.totals, { invited: 1, attended: 1, walkIns: 2 }, 'attended counts invitees; walk-ins apart')
  t.same(report.json.byDay, [{ day: day(-2), attended: 3 }, { day: day(-1), attended: 1 }], 'attendance by day counts everyone')
  t.same(await counterDrift(app.db), [])

  const again = await importSheet(camp.id, file, { query: 'createPeople=true' })
  t.same(again.json.counts, { rows: 4, created: 0, updated: 0, unchanged: 4, failed: 0 }, 'the new worker is found again by voter ID')
  t.equal((await rows<{ n: number }>(app.db, sql`SELECT count(*)::int AS n FROM people WHERE name = 'Naya Karyakarta'`))[0].n, 1)

  const ndjsonRun = await importSheet(camp.id, ndjson({ day: day(0), voter_id: 'ABC2000002' }), { contentType: 'application/x-ndjson' })
  t.equal(ndjsonRun.status, 200, ndjsonRun.body)
  t.same(ndjsonRun.json.counts, { rows: 1, created: 1, updated: 0, unchanged: 0, failed: 0 }, 'NDJSON too')
  t.same((await invitationOf(camp.id, walker.person.id))!.days, [day(-2), day(0)])
  t.same(await counterDrift(app.db), [])
})

t.test('rows that fail, and all-or-nothing, partial and dry runs', async (t) => {
  const u = await tree('SC')
  const good = await activeMember(app, u.booth.id, 'Good Row', { voterId: 'ABC3000001' })
  const parent = await createPerson(app, { name: 'Parent', homeBoothId: u.booth.id, phone: '+919800030002' })
  const child = await createPerson(app, { name: 'Child', homeBoothId: u.booth2.id, phone: '+919800030002' })
  const far = await createPerson(app, { name: 'Far Away', homeBoothId: u.farBooth.id, voterId: 'ABC3000003' })
  // The same phone outside the camp's unit is not counted: this phone is unique under it.
  const single = await createPerson(app, { name: 'Single Phone', homeBoothId: u.booth.id, phone: '+919800030004' })
  await createPerson(app, { name: 'Elsewhere', homeBoothId: u.farBooth.id, phone: '+919800030004' })
  const camp = await createCamp(u.district.id)
  await invite(camp.id, [good.person.id, parent.id, child.id])

  const file = csv(HEADER,
    `${day(-1)},ABC3000001,,,,,`, // 2: good
    `${day(-1)},,9800030002,,,,`, // 3: a phone two people under the camp share
    `${day(-1)},ABC3999999,,,,,`, // 4: nobody
    `${day(-1)},ABC3000003,,,,,`, // 5: at home in the other district
    `${day(1)},,,${single.id},,,`, // 6: tomorrow
    `${day(-3)},,,${single.id},,,`, // 7: before the camp
    `${day(-1)},,9800030004,,,,`, // 8: good (a walk-in)
    `${day(-1)},,,${good.person.id},,,`, // 9: the person of line 2 on the same day
    ',ABC3000001,,,,,', // 10: a three-day camp needs the day
    `${day(-1)},,,${far.id},,,`, // 11: outside, by id
    `${day(-1)},,,,New,${u.farBooth.codePath},`, // 12: no identity
    `${day(-1)},ABC3000001,,${single.id},,,`) // 13: two people
  const before = await attendanceAt(camp.id)

  const failed = await importSheet(camp.id, file)
  t.equal(failed.status, 422, failed.body)
  t.equal(failed.json.code, 'import_failed')
  t.equal(failed.json.importStatus, 'failed')
  t.same(failed.json.counts, { rows: 12, created: 2, updated: 0, unchanged: 0, failed: 10 })
  t.same(errorsOf(failed), [
    [3, 'phone', 'ambiguous_phone'],
    [4, 'voter_id', 'person_not_found'],
    [5, 'voter_id', 'person_outside_camp'],
    [6, 'day', 'day_outside_camp'],
    [7, 'day', 'day_outside_camp'],
    [9, 'day', 'duplicate_row'],
    [10, 'day', 'day_required'],
    [11, 'person_id', 'person_outside_camp'],
    [12, 'voter_id', 'identity_required'],
    [13, 'person_id', 'identity_conflict']
  ])
  t.notMatch(failed.body, /98000300/, 'no phone number in the report')
  t.equal(await attendanceAt(camp.id), before, 'all or nothing: nothing written')

  const dry = await importSheet(camp.id, file, { query: 'mode=partial&dryRun=true' })
  t.equal(dry.status, 200, dry.body)
  t.match(dry.json, { status: 'dry_run', counts: { created: 2, failed: 10 } })
  t.equal(await attendanceAt(camp.id), before, 'a dry run writes nothing')
  t.equal((await rows<{ n: number }>(app.db, sql`SELECT count(*)::int AS n FROM invitations WHERE camp_id = ${camp.id}`))[0].n, 3, 'not even a walk-in')

  const partial = await importSheet(camp.id, file, { query: 'mode=partial' })
  t.equal(partial.status, 200, partial.body)
  t.match(partial.json, { status: 'partial', counts: { rows: 12, created: 2, unchanged: 0, failed: 10 } })
  t.match(await invitationOf(camp.id, good.person.id), { status: 'attended', days: [day(-1)] })
  t.match(await invitationOf(camp.id, single.id), { source: 'walk_in', status: 'attended', days: [day(-1)] })
  t.match(await invitationOf(camp.id, parent.id), { status: 'invited', days: [] }, 'the ambiguous row wrote nothing')
  t.same(await counterDrift(app.db), [])

  const rerun = await importSheet(camp.id, file, { query: 'mode=partial' })
  t.match(rerun.json.counts, { created: 0, unchanged: 2, failed: 10 })
})

t.test('the camp: one day long, scope, cancelled, unknown', async (t) => {
  const u = await tree('SD')
  const member = await activeMember(app, u.booth.id, 'One Day', { voterId: 'ABC4000001' })
  const oneDay = await createCamp(u.district.id, { startDate: day(-1), endDate: day(-1) })
  const res = await importSheet(oneDay.id, csv('voter_id', 'ABC4000001'))
  t.equal(res.status, 200, res.body)
  t.match(await invitationOf(oneDay.id, member.person.id), { source: 'walk_in', days: [day(-1)] }, 'a one-day camp\'s sheet needs no day')

  const future = await createCamp(u.district.id, { startDate: day(1), endDate: day(1) })
  const early = await importSheet(future.id, csv('voter_id', 'ABC4000001'))
  t.same(errorsOf(early), [[2, 'day', 'day_outside_camp']], 'not after today')

  const stateCamp = await createCamp(u.state.id)
  const districtImporter = await mintKey(app, 'importer', u.district.id)
  const unseen = await importSheet(stateCamp.id, csv('voter_id', 'ABC4000001'), { key: districtImporter })
  t.equal(unseen.status, 404, 'a state camp the district key cannot see')
  await invite(stateCamp.id, [member.person.id])
  const above = await importSheet(stateCamp.id, csv('voter_id', 'ABC4000001'), { key: districtImporter })
  t.equal(above.status, 403, 'a state camp that invited the district\'s people: seen, not organised')
  t.equal(above.json.code, 'outside_scope')
  t.equal(await attendanceAt(stateCamp.id), 0)

  const mine = await importSheet(oneDay.id, csv('day,voter_id', `${day(-1)},ABC4000001`), { key: districtImporter })
  t.equal(mine.status, 200, 'the district key imports into its own district\'s camp')
  t.same(mine.json.counts.unchanged, 1)

  const reader = await mintKey(app, 'reader', u.district.id)
  const refusedKey = await importSheet(oneDay.id, csv('voter_id', 'ABC4000001'), { key: reader })
  t.equal(refusedKey.status, 403, 'a reader may not import')

  const cancelled = await createCamp(u.district.id, { status: 'cancelled' })
  const refused = await importSheet(cancelled.id, csv('day,voter_id', `${day(-1)},ABC4000001`))
  t.equal(refused.status, 409)
  t.equal(refused.json.code, 'camp_cancelled')

  const unknown = await importSheet('00000000-0000-4000-8000-000000000000', csv('voter_id', 'ABC4000001'))
  t.equal(unknown.status, 404)

  const typo = await importSheet(oneDay.id, csv('voter_id,mobile', 'ABC4000001,9800000000'))
  t.equal(typo.status, 400)
  t.equal(typo.json.code, 'unknown_column')

  const newOutside = await importSheet(oneDay.id, csv('voter_id,name,home_booth', `ABC4000009,Far New,${u.farBooth.codePath}`), { query: 'createPeople=true' })
  t.same(errorsOf(newOutside), [[2, 'home_booth', 'person_outside_camp']], 'a new person must be at home under the camp\'s unit')
  t.same(await counterDrift(app.db), [])
})

t.test('the import command: --kind sign-in-sheet --camp', async (t) => {
  const u = await tree('SE')
  const member = await activeMember(app, u.booth.id, 'From The CLI', { voterId: 'ABC5000001' })
  const camp = await createCamp(u.district.id)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sangathan-sheet-')))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'sheet.csv')
  writeFileSync(file, csv('day,voter_id,name,home_booth', `${day(-1)},ABC5000001,,`, `${day(-1)},ABC5000002,Naya CLI,${u.booth.codePath}`))
  const run = (...args: string[]) => new Promise<{ code: number, stdout: string, stderr: string }>(resolve => {
    const env: NodeJS.ProcessEnv = { ...process.env, SANGATHAN_API_KEY: ADMIN_KEY }
    // The CLI resolves FILE from the caller's folder: here, the absolute path itself.
    delete env.INIT_CWD
    execFile(...node('cli/import', file, '--url', url, ...args), { env }, (err, stdout, stderr) =>
      resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout, stderr }))
  })

  const noCamp = await run('--kind', 'sign-in-sheet')
  t.equal(noCamp.code, 2, 'a sign-in sheet needs its camp')
  t.match(noCamp.stderr, /--camp/)
  const notHere = await run('--kind', 'units', '--camp', camp.id)
  t.equal(notHere.code, 2, '--camp is for sign-in sheets only')

  const done = await run('--kind', 'sign-in-sheet', '--camp', camp.id, '--create-people')
  t.equal(done.code, 0, done.stderr + done.stdout)
  t.match(done.stdout, /rows 2 {2}created 2 {2}updated 0 {2}unchanged 0 {2}failed 0/)
  t.match(await invitationOf(camp.id, member.person.id), { status: 'attended', days: [day(-1)] })
  const again = await run('--kind', 'sign-in-sheet', '--camp', camp.id, '--create-people')
  t.match(again.stdout, /unchanged 2/)
  t.same(await counterDrift(app.db), [])
})
