import { sql } from 'drizzle-orm'
import t from 'tap'
import { rows } from '../src/db/client.js'
import { pgError } from '../src/db/errors.js'
import { buildTestApp, call, mintKey } from './helpers/app.js'
import { csv, postImport } from './helpers/imports.js'
import { activeMember, appoint, createPerson, enrol } from './helpers/people.js'
import { createChain, createUnit } from './helpers/tree.js'

/**
 * A key scoped to a district changes only its district, on every row a change touches,
 * cascades included, and learns nothing of what lies outside it. The checks are made by
 * PostgreSQL (src/db/routines/04_scope.sql) for every write path.
 */

const { app } = await buildTestApp(t, { RATE_LIMIT_MAX: '100000' })
const a = await createChain(app, 'SCP') // district D1 (the key's scope) ...
const districtB = await createUnit(app, { level: 'district', parentId: a.state.id, code: 'D2', name: 'District Two' })
const blockB = await createUnit(app, { level: 'block', parentId: districtB.id, code: 'B1', name: 'Block' })
const wardB = await createUnit(app, { level: 'ward', parentId: blockB.id, code: 'W1', name: 'Ward' })
const boothB = await createUnit(app, { level: 'booth', parentId: wardB.id, code: 'PS1', name: 'Booth B' })
const boothA2 = await createUnit(app, { level: 'booth', parentId: a.ward.id, code: 'PS2', name: 'Booth A2' })

const editor = await mintKey(app, 'editor', a.district.id)
const importer = await mintKey(app, 'importer', a.district.id)

/** Everything the tables hold about a person, to show a refused change wrote nothing. */
async function snapshot (personId: string) {
  return rows(app.db, sql`
    SELECT (SELECT row_to_json(p) FROM people p WHERE p.id = ${personId}) AS person,
           (SELECT json_agg(m ORDER BY m.id) FROM memberships m WHERE m.person_id = ${personId}) AS memberships,
           (SELECT json_agg(x ORDER BY x.id) FROM appointments x WHERE x.person_id = ${personId}) AS terms,
           (SELECT count(*)::int FROM audit_log) AS audit`)
}

t.test('a lapse that would end a state post is refused to a district key, whole', async (t) => {
  // A member at home in the district, holding a booth post inside it and a state post outside it.
  const { person, membership } = await activeMember(app, a.booth.id, 'Two Posts')
  await appoint(app, { personId: person.id, unitId: a.booth.id, role: 'president' })
  const statePost = await appoint(app, { personId: person.id, unitId: a.state.id, role: 'secretary' })
  const before = await snapshot(person.id)

  const lapse = await call(app, { method: 'PATCH', url: `/v1/memberships/${membership.id}`, payload: { status: 'lapsed', endAppointments: true } }, editor)
  t.equal(lapse.status, 403)
  t.equal(lapse.json.code, 'outside_scope')
  t.notMatch(lapse.body, /SCPS|secretary|D2/, 'the refusal names nothing outside the scope')
  t.same(await snapshot(person.id), before, 'nothing was written: no term ended, no lapse, no audit record')

  // The person page and the rule's refusal show the state post only as a count.
  const page = await call(app, { method: 'GET', url: `/v1/people/${person.id}` }, editor)
  t.same(page.json.offices.map((o: any) => o.role), ['president'])
  t.equal(page.json.officesOutsideScope, 1)
  t.notMatch(page.body, new RegExp(statePost.id))
  const downgrade = await call(app, { method: 'PATCH', url: `/v1/memberships/${membership.id}`, payload: { grade: 'primary' } }, editor)
  t.equal(downgrade.json.code, 'office_bearer_must_stay_active')
  t.same(downgrade.json.appointments.map((o: any) => o.role), ['president'])
  t.equal(downgrade.json.appointmentsOutsideScope, 1)
  t.match(downgrade.json.detail, /1 office outside your scope/)
  t.notMatch(downgrade.body, new RegExp(`${statePost.id}|SCPS"|secretary`))

  // A global key sees everything and may make the change.
  const global = await call(app, { method: 'GET', url: `/v1/people/${person.id}` })
  t.equal(global.json.offices.length, 2)
  t.equal(global.json.officesOutsideScope, 0)
  const wide = await call(app, { method: 'PATCH', url: `/v1/memberships/${membership.id}`, payload: { status: 'lapsed', endAppointments: true } })
  t.equal(wide.status, 200)
})

t.test('a home move that would drag a membership held in another district is refused', async (t) => {
  // Home in the district, membership (primary, so no office) at a booth of district B.
  const person = await createPerson(app, { name: 'Away Member', homeBoothId: a.booth.id })
  await enrol(app, { personId: person.id, boothId: boothB.id, grade: 'primary' })
  const before = await snapshot(person.id)
  const move = await call(app, { method: 'PATCH', url: `/v1/people/${person.id}`, payload: { homeBoothId: boothA2.id, moveMembership: true } }, editor)
  t.equal(move.status, 403)
  t.equal(move.json.code, 'outside_scope')
  t.same(await snapshot(person.id), before, 'neither the home nor the membership moved')
})

t.test('every write path is held to the scope by PostgreSQL itself', async (t) => {
  // Raw SQL in a transaction that names the district key's scope, as every API write does.
  const { person } = await activeMember(app, boothB.id, 'Outside Member')
  const scoped = async (statement: ReturnType<typeof sql>) => {
    let refused: string | undefined
    try {
      await app.db.transaction(async (tx) => {
        await tx.execute(sql`SELECT set_config('sangathan.scope_unit', ${a.district.id}, true)`)
        await tx.execute(statement)
      })
    } catch (err) {
      refused = pgError(err)?.constraint ?? 'other'
    }
    return refused
  }
  t.equal(await scoped(sql`UPDATE people SET name = 'x' WHERE id = ${person.id}`), 'outside_scope', 'a person at home outside')
  t.equal(await scoped(sql`UPDATE memberships SET grade = 'active' WHERE person_id = ${person.id}`), 'outside_scope', 'a membership outside')
  t.equal(await scoped(sql`UPDATE appointments SET end_reason = NULL WHERE unit_id = ${boothB.id}`), undefined, 'no term there: nothing touched, nothing refused')
  t.equal(await scoped(sql`INSERT INTO units (level, parent_id, code, name, path, code_path) VALUES ('booth', ${wardB.id}, 'PSX', 'x', '0', '')`), 'outside_scope', 'a unit created outside')
  const wardA2 = await createUnit(app, { level: 'ward', parentId: a.block.id, code: 'W9', name: 'Ward to move' })
  t.equal(await scoped(sql`UPDATE units SET parent_id = ${blockB.id} WHERE id = ${wardA2.id}`), 'outside_scope', 'a ward moved out of the scope')
  const wardB2 = await createUnit(app, { level: 'ward', parentId: blockB.id, code: 'W8', name: 'Ward outside' })
  t.equal(await scoped(sql`UPDATE units SET parent_id = ${a.block.id} WHERE id = ${wardB2.id}`), 'outside_scope', 'a ward moved into the scope from outside')
  t.equal(await scoped(sql`UPDATE units SET name = 'renamed' WHERE id = ${a.block.id}`), undefined, 'inside the scope: allowed')
  t.equal(await scoped(sql`INSERT INTO people (name, home_booth_id) VALUES ('x', ${boothB.id})`), 'outside_scope', 'a person created with a home outside')
})

t.test('refusals and imports reveal nothing that lies outside the scope', async (t) => {
  const other = await createPerson(app, { name: 'Voter Elsewhere', homeBoothId: boothB.id, voterId: 'OUT1234567', phone: '9000000011' })
  t.ok(other.id)
  const taken = await call(app, { method: 'POST', url: '/v1/people', payload: { name: 'Same Voter', homeBoothId: a.booth.id, voterId: 'OUT1234567' } }, editor)
  t.equal(taken.status, 409)
  t.equal(taken.json.code, 'voter_id_taken')
  t.match(taken.json.detail, /wider scope/)
  t.notMatch(taken.body, /D2|Booth B|Voter Elsewhere|OUT1/)

  // The same phone outside the scope is someone else: the row creates a person here.
  const byPhone = await postImport(app, 'booth-presidents', csv('booth,name,phone', 'SCPS/D1/B1/W1/PS2,Same Phone,9000000011'), { key: importer })
  t.equal(byPhone.status, 200)
  t.equal(byPhone.json.counts.created, 1)
  const [made] = await rows<{ home: string }>(app.db, sql`SELECT home_booth_id AS home FROM people WHERE name = 'Same Phone'`)
  t.equal(made.home, boothA2.id)
  // A voter ID held outside: refused without saying where.
  const byVoter = await postImport(app, 'booth-presidents', csv('booth,name,voter_id', 'SCPS/D1/B1/W1/AC072-PS0145,Same Voter,OUT1234567'), { key: importer, query: 'mode=partial' })
  t.equal(byVoter.json.errors[0].code, 'person_outside_scope')
  t.notMatch(JSON.stringify(byVoter.json), /D2|Booth B|Voter Elsewhere/)

  // Renaming the scope's own unit to a sibling's code would reveal the sibling.
  const recode = await call(app, { method: 'PATCH', url: `/v1/units/${a.district.id}`, payload: { code: 'D2' } }, editor)
  t.equal(recode.status, 403)
  t.equal(recode.json.code, 'outside_scope')
  const recodeFree = await call(app, { method: 'PATCH', url: `/v1/units/${a.district.id}`, payload: { code: 'D9' } }, editor)
  t.equal(recodeFree.status, 403, 'whether or not the code is taken')
  t.equal(recodeFree.json.detail, recode.json.detail)
})
