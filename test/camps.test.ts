import { sql } from 'drizzle-orm'
import t from 'tap'
import { systemActor } from '../src/access/actor.js'
import { allUntrained } from '../src/camps/training.js'
import { indiaToday } from '../src/time.js'
import { buildTestApp, call, mintKey } from './helpers/app.js'
import { counterDrift } from './helpers/counters.js'
import { activeMember, appoint } from './helpers/people.js'
import { createUnit, type Unit } from './helpers/tree.js'

/**
 * Training camps: the catalogue of topics, camps, invitations from the audience rule,
 * check-in (ambiguous phones, walk-ins, new workers), capacity, scope, and the training
 * reports against a recount of their counters.
 */
const { app } = await buildTestApp(t)
const get = async (url: string, key?: string) => call(app, { method: 'GET', url }, key)
const post = async (url: string, payload: Record<string, unknown>, key?: string) => call(app, { method: 'POST', url, payload }, key)
const patch = async (url: string, payload: Record<string, unknown>, key?: string, headers: Record<string, string> = {}) => call(app, { method: 'PATCH', url, payload, headers }, key)

const today = indiaToday()
const daysAgo = (n: number) => new Date(Date.parse(today + 'T00:00:00Z') - n * 86_400_000).toISOString().slice(0, 10)

const state = await createUnit(app, { level: 'state', code: 'TRN', name: 'Training State' })
const d1 = await createUnit(app, { level: 'district', parentId: state.id, code: 'D1', name: 'D1' })
const d2 = await createUnit(app, { level: 'district', parentId: state.id, code: 'D2', name: 'D2' })
const b1 = await createUnit(app, { level: 'block', parentId: d1.id, code: 'B1', name: 'B1' })
const w1 = await createUnit(app, { level: 'ward', parentId: b1.id, code: 'W1', name: 'W1' })
const booths: Unit[] = []
for (let i = 1; i <= 3; i++) booths.push(await createUnit(app, { level: 'booth', parentId: w1.id, code: `PS${i}`, name: `Booth ${i}`, acNumber: 72, acName: 'Seventy Two' }))
const b2 = await createUnit(app, { level: 'block', parentId: d2.id, code: 'B9', name: 'B9' })
const w2 = await createUnit(app, { level: 'ward', parentId: b2.id, code: 'W9', name: 'W9' })
const farBooth = await createUnit(app, { level: 'booth', parentId: w2.id, code: 'PS1', name: 'Far booth' })

// Office-bearers of D1: a block president, a ward secretary who is also a booth
// president (two posts, one person), a booth president, a committee member; of D2 a
// block president. Two of them share a phone (a family).
const holder = async (booth: Unit, name: string, unit: Unit, role: string, extra: Record<string, unknown> = {}) => {
  const { person } = await activeMember(app, booth.id, name, extra)
  await appoint(app, { personId: person.id, unitId: unit.id, role })
  return person
}
const blockPresident = await holder(booths[0], 'Block President', b1, 'president', { phone: '9876500001' })
const wardSecretary = await holder(booths[1], 'Ward Secretary', w1, 'secretary', { phone: '9876500002', voterId: 'TRN0000002' })
await appoint(app, { personId: wardSecretary.id, unitId: booths[1].id, role: 'president' })
const boothPresident = await holder(booths[0], 'Booth President', booths[0], 'president', { phone: '9876500003' })
const committee = await holder(booths[2], 'Committee Member', booths[2], 'committee_member', { phone: '9876500003' })
const farPresident = await holder(farBooth, 'Far President', b2, 'president', { phone: '9876500009' })

let camp: any

t.test('the topics catalogue', async (t) => {
  const topics = await get('/v1/topics')
  t.same(topics.json.items.map((x: any) => x.code), ['booth_committee', 'member_enrolment', 'social_media', 'electoral_roll'])
  const added = await post('/v1/topics', { code: 'Voter_Outreach', name: 'Reaching voters' })
  t.equal(added.status, 201, added.body)
  t.equal(added.json.code, 'voter_outreach')
  t.equal((await post('/v1/topics', { code: 'voter_outreach', name: 'Again' })).json.code, 'topic_exists')
  const editor = await mintKey(app, 'editor', d1.id)
  t.equal((await post('/v1/topics', { code: 'other_topic', name: 'Other' }, editor)).status, 403)
})

t.test('a camp for a district\'s block and ward office-bearers, invited from its rule', async (t) => {
  const created = await post('/v1/camps', {
    unitId: d1.id,
    title: 'Booth team camp',
    localTitle: 'बूथ टीम प्रशिक्षण शिविर',
    venue: 'District office',
    startDate: daysAgo(1),
    endDate: today,
    topics: ['booth_committee', 'social_media'],
    trainers: [{ personId: farPresident.id }, { name: 'A visiting trainer' }],
    audience: [{ levels: ['block', 'ward'] }]
  })
  t.equal(created.status, 201, created.body)
  camp = created.json
  t.match(camp, { unitCodePath: 'TRN/D1', status: 'planned', topics: ['booth_committee', 'social_media'], organiser: true, invited: 0 })
  t.same(camp.trainers.map((x: any) => x.name), ['Far President', 'A visiting trainer'])
  t.same(camp.audience, [{ levels: ['block', 'ward'], roles: [], wings: [], clusterKinds: [], assemblyId: null, committee: false }])
  t.match(created.headers.etag, /^"/)
  t.equal((await patch(`/v1/camps/${camp.id}`, { venue: 'Town hall' }, undefined, { 'if-match': '"999"' })).status, 412)
  const renamed = await patch(`/v1/camps/${camp.id}`, { venue: 'Town hall' }, undefined, { 'if-match': created.headers.etag as string })
  t.equal(renamed.status, 200, renamed.body)
  t.equal(renamed.json.venue, 'Town hall')
  t.not(renamed.headers.etag, created.headers.etag)
  const listed = await get(`/v1/camps?unitId=${d1.id}&topic=social_media&from=${today}`)
  t.same(listed.json.items.map((c: any) => c.id), [camp.id])
  t.same((await get(`/v1/camps?unitId=${d1.id}&topic=electoral_roll`)).json.items, [])

  const invited = await post(`/v1/camps/${camp.id}/invitations`, {})
  t.equal(invited.status, 200, invited.body)
  t.same(invited.json, { added: 2, invited: 2 })
  const list = await get(`/v1/camps/${camp.id}/invitations`)
  t.same(list.json.items.map((i: any) => i.name).sort(), ['Block President', 'Ward Secretary'])
  const secretary = list.json.items.find((i: any) => i.name === 'Ward Secretary')
  t.match(secretary, { source: 'rule', status: 'invited', homeBoothCodePath: 'TRN/D1/B1/W1/PS2', days: [] })
  t.same(secretary.qualifiedBy.map((q: any) => `${q.level}:${q.role}`), ['ward:secretary'], 'the post that qualified, not the booth post the rule left out')

  // Re-running adds newcomers and changes nothing else.
  t.equal((await patch(`/v1/camps/${camp.id}/invitations/${secretary.id}`, { status: 'confirmed' })).status, 200)
  const newcomer = await holder(booths[2], 'New Ward Treasurer', w1, 'treasurer')
  const again = await post(`/v1/camps/${camp.id}/invitations`, {})
  t.same(again.json, { added: 1, invited: 3 })
  const after = await get(`/v1/camps/${camp.id}/invitations?status=confirmed`)
  t.same(after.json.items.map((i: any) => i.id), [secretary.id], 'the confirmed invitation is left as it was')
  t.same((await post(`/v1/camps/${camp.id}/invitations`, {})).json, { added: 0, invited: 3 })

  // One by one: the booth president; someone from another district is refused.
  t.same((await post(`/v1/camps/${camp.id}/invitations`, { personIds: [boothPresident.id] })).json, { added: 1, invited: 4 })
  t.equal((await post(`/v1/camps/${camp.id}/invitations`, { personIds: [farPresident.id] })).json.code, 'person_not_found')
  t.ok(newcomer.id)
  t.same(await counterDrift(app.db), [])
})

t.test('audience clauses: booth presidents of a constituency, the committee only when asked', async (t) => {
  const assembly = (await get(`/v1/assemblies?stateId=${state.id}`)).json.items[0]
  const byAc = await post('/v1/camps', { unitId: state.id, title: 'AC 72 presidents', startDate: today, audience: [{ levels: ['booth'], roles: ['president'], assemblyId: assembly.id }] })
  t.equal(byAc.status, 201, byAc.body)
  t.same((await post(`/v1/camps/${byAc.json.id}/invitations`, {})).json.added, 2, 'the two booth presidents at AC 72 booths')
  const names = (await get(`/v1/camps/${byAc.json.id}/invitations`)).json.items.map((i: any) => i.name).sort()
  t.same(names, ['Booth President', 'Ward Secretary'])

  // Above a booth, a constituency takes the holder's home booth: the block president lives
  // at an AC 72 booth, D2's block president at a booth of no constituency.
  const audienceOf = async (unitId: string, audience: unknown[]) => {
    const created = await post('/v1/camps', { unitId, title: `Audience ${JSON.stringify(audience)}`, startDate: today, audience })
    t.equal(created.status, 201, created.body)
    await post(`/v1/camps/${created.json.id}/invitations`, {})
    return (await get(`/v1/camps/${created.json.id}/invitations`)).json.items.map((i: any) => i.name).sort()
  }
  t.same(await audienceOf(state.id, [{ levels: ['block'], assemblyId: assembly.id }]), ['Block President'])
  t.same(await audienceOf(state.id, [{ levels: ['block'] }]), ['Block President', 'Far President'])
  // Clauses at different levels add up; a clause with no levels takes every level.
  t.same(await audienceOf(d1.id, [{ levels: ['block'] }, { levels: ['booth'], roles: ['president'] }]), ['Block President', 'Booth President', 'Ward Secretary'])
  t.same(await audienceOf(d1.id, [{ levels: ['block'] }, { roles: ['secretary'] }]), ['Block President', 'Ward Secretary'])
  t.same(await audienceOf(d1.id, [{ levels: ['district'] }]), [])

  const booth = await post('/v1/camps', { unitId: w1.id, title: 'Booth level', startDate: today, audience: [{ levels: ['booth'] }] })
  t.same((await post(`/v1/camps/${booth.json.id}/invitations`, {})).json.added, 2, 'committee members left out')
  await patch(`/v1/camps/${booth.json.id}`, { audience: [{ levels: ['booth'], committee: true }] })
  t.same((await post(`/v1/camps/${booth.json.id}/invitations`, {})).json.added, 1, 'and in when asked')
  t.equal((await post(`/v1/camps/${booth.json.id}/invitations`, {})).json.added, 0)
  t.equal((await post('/v1/camps', { unitId: w1.id, title: 'Bad', startDate: today, audience: [{ clusterKinds: ['nope'] }] })).json.code, 'unknown_cluster_kind')
  const none = await post('/v1/camps', { unitId: w1.id, title: 'No rule', startDate: today })
  t.equal((await post(`/v1/camps/${none.json.id}/invitations`, {})).json.code, 'camp_has_no_audience')
  // A planned camp without attendance may go, with its invitations.
  t.equal((await call(app, { method: 'DELETE', url: `/v1/camps/${booth.json.id}` })).status, 204)
})

t.test('check-in by phone, voter ID, id; walk-ins and new workers', async (t) => {
  const url = `/v1/camps/${camp.id}/check-ins`
  // Two people at home under D1 share 9876500003: the phone names neither.
  const shared = await post(url, { phone: '+91 98765 00003' })
  t.equal(shared.status, 409, shared.body)
  t.equal(shared.json.code, 'ambiguous_phone')
  t.notMatch(shared.body, /98765/, 'the phone is not echoed')

  const byPhone = await post(url, { phone: '98765 00001', day: daysAgo(1) })
  t.equal(byPhone.status, 201, byPhone.body)
  t.match(byPhone.json, { name: 'Block President', status: 'attended', recorded: true, walkIn: false, days: [daysAgo(1)] })
  const twice = await post(url, { phone: '9876500001', day: daysAgo(1) })
  t.equal(twice.status, 200)
  t.equal(twice.json.recorded, false)
  t.same((await post(url, { phone: '9876500001' })).json.days, [daysAgo(1), today], 'a second day')
  t.match((await post(url, { voterId: 'trn0000002' })).json, { name: 'Ward Secretary', status: 'attended', walkIn: false })

  // The committee member was not invited: a walk-in.
  t.match((await post(url, { personId: committee.id })).json, { status: 'attended', source: 'walk_in', walkIn: true })
  // A new worker, created at their booth.
  const fresh = await post(url, { newPerson: { name: 'New Worker', homeBoothId: booths[2].id, phone: '9000000001' } })
  t.equal(fresh.status, 201, fresh.body)
  t.match(fresh.json, { name: 'New Worker', source: 'walk_in', qualifiedBy: [] })

  t.equal((await post(url, { phone: '9876500009' })).json.code, 'person_not_found', 'no one of that phone under the camp\'s unit')
  t.equal((await post(url, { personId: blockPresident.id, day: daysAgo(5) })).json.code, 'day_outside_camp')
  t.equal((await post(url, { personId: blockPresident.id, phone: '9876500001' })).status, 400, 'one way to name the person')

  const report = await get(`/v1/camps/${camp.id}/report`)
  t.match(report.json.totals, { invited: 4, attended: 2, walkIns: 2 })
  t.same(report.json.byDay, [{ day: daysAgo(1), attended: 1 }, { day: today, attended: 4 }])
  t.match(report.json.items.find((g: any) => g.level === 'block'), { role: 'president', invited: 1, attended: 1 })

  // Attended camps are kept.
  t.equal((await patch(`/v1/camps/${camp.id}`, { status: 'cancelled' })).json.code, 'camp_has_attendance')
  t.equal((await call(app, { method: 'DELETE', url: `/v1/camps/${camp.id}` })).json.code, 'camp_kept')
  const attended = (await get(`/v1/camps/${camp.id}/invitations?status=attended`)).json.items[0]
  t.equal((await patch(`/v1/camps/${camp.id}/invitations/${attended.id}`, { status: 'declined' })).json.code, 'invitation_attendance')
  t.same(await counterDrift(app.db), [])
})

t.test('capacity bounds confirmations, not walk-ins', async (t) => {
  const small = await post('/v1/camps', { unitId: b1.id, title: 'Small room', startDate: today, capacity: 1, audience: [{ levels: ['ward', 'booth'] }] })
  await post(`/v1/camps/${small.json.id}/invitations`, {})
  const invitations = (await get(`/v1/camps/${small.json.id}/invitations`)).json.items
  t.ok(invitations.length >= 2)
  t.equal((await patch(`/v1/camps/${small.json.id}/invitations/${invitations[0].id}`, { status: 'confirmed' })).status, 200)
  const full = await patch(`/v1/camps/${small.json.id}/invitations/${invitations[1].id}`, { status: 'confirmed' })
  t.equal(full.status, 409)
  t.equal(full.json.code, 'camp_full')
  const walkIn = await post(`/v1/camps/${small.json.id}/check-ins`, { personId: blockPresident.id })
  t.equal(walkIn.status, 201, walkIn.body)
  t.equal(walkIn.json.walkIn, true)
  // Concurrent confirmations of the last seat: one wins.
  const wide = await post('/v1/camps', { unitId: d1.id, title: 'One seat', startDate: today, capacity: 1, audience: [{ levels: ['block', 'ward', 'booth'] }] })
  await post(`/v1/camps/${wide.json.id}/invitations`, {})
  const all = (await get(`/v1/camps/${wide.json.id}/invitations`)).json.items
  const results = await Promise.all(all.slice(0, 3).map((i: any) => patch(`/v1/camps/${wide.json.id}/invitations/${i.id}`, { status: 'confirmed' })))
  t.same(results.map(r => r.status).sort(), [200, 409, 409])
})

t.test('scope: a district key organises its own camps and sees a state camp as it concerns its people', async (t) => {
  const editor = await mintKey(app, 'editor', d1.id)
  const reader = await mintKey(app, 'reader', d1.id, { maskPersonalData: true })
  t.equal((await post('/v1/camps', { unitId: d2.id, title: 'Not mine', startDate: today }, editor)).json.code, 'unit_not_found')
  const own = await post('/v1/camps', { unitId: b1.id, title: 'Mine', startDate: today, audience: [{ levels: ['block'] }] }, editor)
  t.equal(own.status, 201, own.body)

  const stateCamp = await post('/v1/camps', { unitId: state.id, title: 'State camp', startDate: today, audience: [{ levels: ['block'] }] })
  t.same((await post(`/v1/camps/${stateCamp.json.id}/invitations`, {})).json.added, 2, 'the block presidents of D1 and D2')
  const seen = await get(`/v1/camps/${stateCamp.json.id}`, editor)
  t.equal(seen.status, 200)
  t.match(seen.json, { organiser: false, invited: 1 })
  const theirs = await get(`/v1/camps/${stateCamp.json.id}/invitations`, reader)
  t.same(theirs.json.items.map((i: any) => i.name), ['Block President'])
  t.equal(theirs.json.items[0].phone, '+91******0001', 'masked for a masked key')
  const sheet = await call(app, { method: 'GET', url: `/v1/camps/${stateCamp.json.id}/invitations?format=csv` }, reader)
  t.match(sheet.body, /^\uFEFF?name,phone,home_booth,status,source,level,wing,role,days,person_id,invitation_id\r?\nBlock President,\*{6}0001,TRN\/D1\/B1\/W1\/PS1,invited,rule,block,main,president,,/)
  t.notMatch(sheet.body, /98765/)
  t.equal((await patch(`/v1/camps/${stateCamp.json.id}`, { title: 'Renamed' }, editor)).status, 403)
  t.equal((await post(`/v1/camps/${stateCamp.json.id}/check-ins`, { personId: blockPresident.id }, editor)).status, 403)
  t.equal((await post(`/v1/camps/${stateCamp.json.id}/invitations`, {}, editor)).status, 403)
  const listed = await get('/v1/camps?limit=500', editor)
  t.ok(listed.json.items.some((c: any) => c.id === stateCamp.json.id && !c.organiser))
  t.notOk(listed.json.items.some((c: any) => c.unitCodePath.startsWith('TRN/D2')))
  // A D2 key does not see D1's camps; a camp of the state that invited none of its people neither.
  const d2key = await mintKey(app, 'reader', d2.id)
  t.equal((await get(`/v1/camps/${own.json.id}`, d2key)).status, 404)
  t.equal((await get(`/v1/camps/${camp.id}`, d2key)).status, 404)
  // The database holds the invitee rule whoever writes.
  const err: any = await app.db.execute(sql`INSERT INTO invitations (camp_id, person_id, source) VALUES (${own.json.id}, ${farPresident.id}, 'manual')`).catch((e: unknown) => e)
  t.match(String(err?.cause?.message ?? err?.message), /home booth lies under its unit/)
})

t.test('the training reports', async (t) => {
  // D1's office-bearers at home: block president, ward secretary, booth president, new
  // ward treasurer (the committee member is left out); trained: block president and
  // ward secretary (and the committee member, who is not counted).
  const report = await get(`/v1/units/${state.id}/training`)
  t.equal(report.status, 200, report.body)
  t.match(report.json.unit, { codePath: 'TRN', officeBearers: 5, trained: 2 })
  const byCode = Object.fromEntries(report.json.children.map((r: any) => [r.code, r]))
  t.match(byCode.D1, { officeBearers: 4, trained: 2, share: 0.5 })
  t.match(byCode.D2, { officeBearers: 1, trained: 0, share: 0 })

  t.match((await get(`/v1/units/${state.id}/training?topic=social_media`)).json.unit, { trained: 2 })
  t.match((await get(`/v1/units/${state.id}/training?topic=electoral_roll`)).json.unit, { trained: 0 })
  t.match((await get(`/v1/units/${state.id}/training?days=1`)).json.unit, { trained: 2 }, 'today counts within the last day')
  t.match((await get(`/v1/units/${state.id}/training?committee=true`)).json.unit, { officeBearers: 6, trained: 3 })
  t.match((await get(`/v1/units/${state.id}/training?role=president`)).json.unit, { officeBearers: 4, trained: 2 })
  t.match((await get(`/v1/units/${state.id}/training?wing=youth`)).json.unit, { officeBearers: 0, trained: 0 })
  const booths = await get(`/v1/units/${d1.id}/training?level=booth`)
  t.same(booths.json.children.map((r: any) => [r.code, r.officeBearers, r.trained]), [['PS1', 2, 1], ['PS2', 1, 1], ['PS3', 1, 0]])
  const live = await get(`/v1/units/${d1.id}/training?level=booth&committee=true`)
  t.same(live.json.children.map((r: any) => [r.code, r.officeBearers, r.trained]), [['PS1', 2, 1], ['PS2', 1, 1], ['PS3', 2, 1]])

  const untrained = await get(`/v1/units/${state.id}/untrained`)
  t.same(untrained.json.items.map((r: any) => r.name), ['Booth President', 'New Ward Treasurer', 'Far President'])
  t.same(untrained.json.items[0].posts, [{ unitCodePath: 'TRN/D1/B1/W1/PS1', wing: 'main', role: 'president' }])
  const paged = await get(`/v1/units/${state.id}/untrained?limit=2`)
  const rest = await get(`/v1/units/${state.id}/untrained?limit=2&cursor=${paged.json.nextCursor}`)
  t.same([...paged.json.items, ...rest.json.items].map((r: any) => r.name), ['Booth President', 'New Ward Treasurer', 'Far President'])
  const csv = await call(app, { method: 'GET', url: `/v1/units/${d1.id}/untrained?format=csv` })
  t.equal(csv.status, 200)
  t.match(csv.headers['content-type'], /text\/csv/)
  const lines = csv.body.trim().split(/\r?\n/)
  t.equal(lines[0], 'name,phone,home_booth,posts,last_trained,person_id')
  t.equal(lines.length, 3)
  t.match(lines[1], /^Booth President,98765 00003,TRN\/D1\/B1\/W1\/PS1,president@TRN\/D1\/B1\/W1\/PS1,,/)
  const trainingCsv = await call(app, { method: 'GET', url: `/v1/units/${state.id}/training?format=csv` })
  t.equal(trainingCsv.body.trim().split(/\r?\n/).length, 4, 'header, the state, its two districts')

  // A held camp counts in the rates; the counters follow every write.
  t.equal((await patch(`/v1/camps/${camp.id}`, { status: 'held' })).status, 200)
  const held = await get(`/v1/units/${d1.id}/training`)
  t.match(held.json.unit, { campsHeld: 1, invitations: 4, invitationsAttended: 2, attendanceRate: 0.5 })
  t.same(await counterDrift(app.db), [])

  // A key sees its own subtree's report only.
  const d2key = await mintKey(app, 'reader', d2.id)
  t.equal((await get(`/v1/units/${d1.id}/training`, d2key)).status, 404)
  t.equal((await get(`/v1/units/${state.id}/training?level=state`)).json.code, 'level_not_below_unit')
  t.equal((await get(`/v1/units/${state.id}/training?topic=nope`)).json.code, 'unknown_topic')
})

t.test('the untrained download: the pages\' rows, whatever its batches, phones masked for a masking key', async (t) => {
  // The download reads its own rows (the posts as the CSV cell, the next batch read ahead,
  // booths read as many as the last batch took): they are the pages' rows, for batches of
  // one person and of one booth, across the reports' three ways of counting.
  const cell = (posts: any[]) => posts.length === 0 ? null : posts.map(p => `${p.wing === 'main' ? '' : `${p.wing}:`}${p.role}@${p.unitCodePath}`).join(' ')
  const questions: Array<[string, { committee: boolean, topic?: string, days?: number }]> = [
    ['', { committee: false }], ['?committee=true', { committee: true }], ['?topic=social_media', { committee: false, topic: 'social_media' }],
    ['?topic=electoral_roll', { committee: false, topic: 'electoral_roll' }], ['?committee=true&topic=electoral_roll', { committee: true, topic: 'electoral_roll' }], ['?days=1', { committee: false, days: 1 }]
  ]
  for (const [query, q] of questions) {
    const pages = (await get(`/v1/units/${state.id}/untrained${query}`)).json.items
      .map((r: any) => [r.name, r.phone, r.homeBoothCodePath, cell(r.posts), r.lastTrained, r.personId])
    t.ok(pages.length >= 2, `${query}: more than one row to cross batches`)
    for (const [batch, booths] of [[1, 1], [2, 1], [1, 2], [5000, 200]]) {
      const { batches } = await allUntrained(app.db, systemActor(), state.id, q, batch, booths)
      const got = []
      for await (const rows of batches) {
        t.ok(rows.length <= batch)
        for (const r of rows) got.push([r.name, r.phone, r.home_booth_code_path, r.posts, r.last_trained, r.person_id])
      }
      t.same(got, pages, `${query} in batches of ${batch}, from ${booths} booths`)
    }
  }
  // The ward secretary, trained on no topic but this one, holds posts at two units, one of
  // them away from home: listed with both, the ward's first.
  const listed = (await get(`/v1/units/${d1.id}/untrained?topic=electoral_roll`)).json.items.find((r: any) => r.personId === wardSecretary.id)
  t.same(listed.posts.map((p: any) => p.unitCodePath), ['TRN/D1/B1/W1', 'TRN/D1/B1/W1/PS2'])
  const full = await call(app, { method: 'GET', url: `/v1/units/${d1.id}/untrained?topic=electoral_roll&format=csv` })
  t.match(full.body, /\nWard Secretary,98765 00002,TRN\/D1\/B1\/W1\/PS2,secretary@TRN\/D1\/B1\/W1 president@TRN\/D1\/B1\/W1\/PS2,,/)
  // A key that sees phones masked downloads them masked.
  const reader = await mintKey(app, 'reader', d1.id, { maskPersonalData: true })
  const masked = await call(app, { method: 'GET', url: `/v1/units/${d1.id}/untrained?format=csv` }, reader)
  t.equal(masked.status, 200)
  t.match(masked.body, /\nBooth President,\*\*\*\*\*\*0003,TRN\/D1\/B1\/W1\/PS1,/)
  t.notMatch(masked.body, /98765/)
  t.same(await counterDrift(app.db), [])
})

t.test('the counters follow terms ending, people moving home and units moving', async (t) => {
  const term = (await get(`/v1/appointments?personId=${boothPresident.id}`)).json.items[0]
  const ended = await patch(`/v1/appointments/${term.id}`, { endDate: today, endReason: 'resigned' })
  t.equal(ended.status, 200, ended.body)
  const moved = await patch(`/v1/people/${wardSecretary.id}`, { homeBoothId: booths[2].id, moveMembership: true })
  t.equal(moved.status, 200, moved.body)
  const before = await get(`/v1/units/${state.id}/training`)
  t.same(before.json.children.map((r: any) => [r.code, r.officeBearers]), [['D1', 3], ['D2', 1]], 'the booth president left office')
  t.same(await counterDrift(app.db), [])
  // Held camps count at their unit and above (counters, not a read of every camp): one
  // held at the ward, one at a booth, one only planned.
  const heldBy = async (unitId: string, query = '') => {
    const report = (await get(`/v1/units/${unitId}/training${query}`)).json
    return [report.unit.campsHeld, ...report.children.map((r: any) => r.campsHeld)]
  }
  const [stateHeld, d1Held, d2Held] = await heldBy(state.id)
  for (const [unitId, status] of [[w1.id, 'held'], [booths[1].id, 'held'], [w1.id, 'planned']]) {
    const made = await post('/v1/camps', { unitId, title: `A ${status} camp`, startDate: daysAgo(3), status })
    t.equal(made.status, 201, made.body)
  }
  t.same(await heldBy(state.id), [stateHeld + 2, d1Held + 2, d2Held])
  const wardHeld = await heldBy(w1.id, '?level=booth')
  t.same(wardHeld.slice(1), booths.map(b => b.id === booths[1].id ? 1 : 0), 'a booth\'s own held camps')
  t.equal(wardHeld[0], 2, 'the ward\'s: its own and its booth\'s')
  t.same(await counterDrift(app.db), [])
  // The ward (and the people at home there, and its camps) moves to the other district.
  const movedWard = await post(`/v1/units/${w1.id}/move`, { parentId: b2.id })
  t.equal(movedWard.status, 200, movedWard.body)
  const after = await get(`/v1/units/${state.id}/training`)
  t.same(after.json.children.map((r: any) => [r.code, r.officeBearers, r.trained]), [['D1', 0, 0], ['D2', 4, 2]])
  t.match(after.json.children[1], { invitations: 4, invitationsAttended: 2 })
  t.same(await heldBy(state.id), [stateHeld + 2, d1Held, d2Held + 2], 'the held camps moved with the ward')
  t.same(await counterDrift(app.db), [])
  // A booth moves back on its own.
  t.equal((await post(`/v1/units/${booths[0].id}/move`, { parentId: (await createUnit(app, { level: 'ward', parentId: b1.id, code: 'W2', name: 'W2' })).id })).status, 200)
  t.same((await get(`/v1/units/${state.id}/training`)).json.children.map((r: any) => [r.code, r.officeBearers]), [['D1', 1], ['D2', 3]])
  t.same(await heldBy(state.id), [stateHeld + 2, d1Held, d2Held + 2], 'booths[0] holds no camp')
  t.same(await counterDrift(app.db), [])
})

t.test('the database refuses an invitation for someone at home outside the camp\'s unit, one row or many', async (t) => {
  // A district of its own: a ward of one booth (a camp there reads its units into a hash
  // for a single row) and a ward of eleven (a camp at the district, twelve booths, looks a
  // single row's home booth up instead): both ways of checking, each refusing and accepting.
  const district = await createUnit(app, { level: 'district', parentId: state.id, code: 'D7', name: 'D7' })
  const block = await createUnit(app, { level: 'block', parentId: district.id, code: 'B7', name: 'B7' })
  const small = await createUnit(app, { level: 'ward', parentId: block.id, code: 'W71', name: 'W71' })
  const home = await createUnit(app, { level: 'booth', parentId: small.id, code: 'PS1', name: 'Home booth' })
  const wide = await createUnit(app, { level: 'ward', parentId: block.id, code: 'W72', name: 'W72' })
  for (let i = 1; i <= 11; i++) await createUnit(app, { level: 'booth', parentId: wide.id, code: `PS${i}`, name: `Wide ${i}` })
  const { person: inside } = await activeMember(app, home.id, 'At Home Inside')
  const campAt = async (unit: Unit) => (await post('/v1/camps', { unitId: unit.id, title: `Camp at ${unit.code}`, startDate: today })).json.id as string
  const invite = (campId: string, personIds: string[]) => app.db.execute(sql`
    INSERT INTO invitations (camp_id, person_id, source) SELECT ${campId}::uuid, p, 'manual' FROM unnest(${sql.param(personIds)}::uuid[]) AS p`)
  // The constraint the database names (drizzle wraps the driver's error as its cause).
  const refusedBy = async (write: Promise<unknown>) => {
    try { await write } catch (err) { return ((err as { cause?: { constraint?: string } }).cause ?? err as { constraint?: string }).constraint }
    return 'accepted'
  }
  for (const unit of [small, district]) {
    const campId = await campAt(unit)
    t.equal(await refusedBy(invite(campId, [farPresident.id])), 'invitations_within_camp', `${unit.code}: one row from outside`)
    t.equal(await refusedBy(invite(campId, [inside.id, farPresident.id])), 'invitations_within_camp', `${unit.code}: one outside among others`)
    await invite(campId, [inside.id])
    t.equal((await get(`/v1/camps/${campId}/invitations`)).json.items.length, 1, `${unit.code}: someone at home under it is invited`)
  }
})
