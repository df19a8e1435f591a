import { sql } from 'drizzle-orm'
import t from 'tap'
import { rows } from '../src/db/client.js'
import { pgError } from '../src/db/errors.js'
import { buildTestApp } from './helpers/app.js'
import { activeMember, appoint, createPerson } from './helpers/people.js'
import { refusal as refusalOf } from './helpers/sql.js'
import { createChain, createUnit } from './helpers/tree.js'

// Raw SQL, bypassing every application check: PostgreSQL alone must refuse, first the
// own-booth rule and seats, then the shape of the tree.
const { app } = await buildTestApp(t)
const db = app.db
const tree = await createChain(app, 'RULE')
const booth2 = await createUnit(app, { level: 'booth', parentId: tree.ward.id, code: 'PS2', name: 'Booth Two' })

const refusal = (statement: ReturnType<typeof sql>) => refusalOf(db, statement)

t.test('appointing someone who is not an active member at home', async (t) => {
  const p = await createPerson(app, { name: 'No Membership', homeBoothId: tree.booth.id })
  const none = await refusal(sql`INSERT INTO appointments (person_id, unit_id, role_code, start_date) VALUES (${p.id}, ${tree.booth.id}, 'president', '2025-01-01')`)
  t.equal(none?.constraint, 'own_booth_rule')
  await db.execute(sql`INSERT INTO memberships (person_id, booth_id, grade, joined_on) VALUES (${p.id}, ${tree.booth.id}, 'primary', '2024-01-01')`)
  const primary = await refusal(sql`INSERT INTO appointments (person_id, unit_id, role_code, start_date) VALUES (${p.id}, ${tree.booth.id}, 'president', '2025-01-01')`)
  t.equal(primary?.constraint, 'own_booth_rule', 'a primary member may not hold office')
  const q = await createPerson(app, { name: 'Elsewhere', homeBoothId: tree.booth.id })
  await db.execute(sql`INSERT INTO memberships (person_id, booth_id, grade, joined_on) VALUES (${q.id}, ${booth2.id}, 'active', '2024-01-01')`)
  const away = await refusal(sql`INSERT INTO appointments (person_id, unit_id, role_code, start_date) VALUES (${q.id}, ${tree.district.id}, 'secretary', '2025-01-01')`)
  t.equal(away?.constraint, 'own_booth_rule', 'an active member at another booth may not hold office')
  const future = await refusal(sql`INSERT INTO appointments (person_id, unit_id, role_code, start_date) VALUES (${p.id}, ${tree.booth.id}, 'bla', '2099-01-01')`)
  t.equal(future?.constraint, 'own_booth_rule', 'a term that has not begun is covered too')
  const ended = await refusal(sql`INSERT INTO appointments (person_id, unit_id, role_code, start_date, end_date, end_reason) VALUES (${p.id}, ${tree.block.id}, 'treasurer', '2019-01-01', '2020-01-01', 'history')`)
  t.equal(ended, undefined, 'an ended term (history) may be recorded for anyone')
})

t.test('breaking the rule for a sitting office-bearer', async (t) => {
  const { person, membership } = await activeMember(app, tree.booth.id, 'Sitting President')
  await appoint(app, { personId: person.id, unitId: tree.booth.id, role: 'president' })
  for (const [what, statement] of [
    ['downgrade', sql`UPDATE memberships SET grade = 'primary' WHERE id = ${membership.id}`],
    ['lapse', sql`UPDATE memberships SET status = 'lapsed', lapsed_on = joined_on WHERE id = ${membership.id}`],
    ['transfer', sql`UPDATE memberships SET booth_id = ${booth2.id} WHERE id = ${membership.id}`],
    ['delete membership', sql`DELETE FROM memberships WHERE id = ${membership.id}`],
    ['move home', sql`UPDATE people SET home_booth_id = ${booth2.id} WHERE id = ${person.id}`]
  ] as const) {
    t.equal((await refusal(statement))?.constraint, 'own_booth_rule', what)
  }
  const deleteHome = await refusal(sql`DELETE FROM units WHERE id = ${tree.booth.id}`)
  t.equal(deleteHome?.code, '23503', 'a booth that is someone\'s home cannot be deleted')
  const [check] = await rows<{ grade: string, status: string }>(db, sql`SELECT grade, status FROM memberships WHERE id = ${membership.id}`)
  t.same(check, { grade: 'active', status: 'current' }, 'nothing changed')

  // Both moving in one statement is allowed: the rule is checked when the statement ends.
  await db.execute(sql`WITH m AS (UPDATE memberships SET booth_id = ${booth2.id} WHERE id = ${membership.id} RETURNING id)
    UPDATE people SET home_booth_id = ${booth2.id} WHERE id = ${person.id}`)
  let code: string | undefined
  try {
    await db.transaction(async (tx) => {
      await tx.execute(sql`UPDATE people SET home_booth_id = ${tree.booth.id} WHERE id = ${person.id}`)
    })
  } catch (err) { code = pgError(err)?.constraint }
  t.equal(code, 'own_booth_rule', 'a home may not move alone')
})

t.test('seats, levels, double terms and one current membership', async (t) => {
  const booth = await createUnit(app, { level: 'booth', parentId: tree.ward.id, code: 'SEATS', name: 'Seats' })
  const a = await activeMember(app, booth.id, 'A')
  const b = await activeMember(app, booth.id, 'B')
  await db.execute(sql`INSERT INTO appointments (person_id, unit_id, role_code, start_date) VALUES (${a.person.id}, ${booth.id}, 'president', '2025-01-01')`)
  const second = await refusal(sql`INSERT INTO appointments (person_id, unit_id, role_code, start_date) VALUES (${b.person.id}, ${booth.id}, 'president', '2025-06-01')`)
  t.equal(second?.constraint, 'appointments_seats', 'no second current president')
  const earlierOverlap = await refusal(sql`INSERT INTO appointments (person_id, unit_id, role_code, start_date, end_date, end_reason) VALUES (${b.person.id}, ${booth.id}, 'president', '2024-01-01', '2025-02-01', 'x')`)
  t.equal(earlierOverlap?.constraint, 'appointments_seats', 'overlapping history is refused too')
  const before = await refusal(sql`INSERT INTO appointments (person_id, unit_id, role_code, start_date, end_date, end_reason) VALUES (${b.person.id}, ${booth.id}, 'president', '2024-01-01', '2025-01-01', 'x')`)
  t.equal(before, undefined, 'a term ending the day the next begins does not overlap')
  const empty = await refusal(sql`INSERT INTO appointments (person_id, unit_id, role_code, start_date, end_date, end_reason) VALUES (${b.person.id}, ${booth.id}, 'president', '2025-03-01', '2025-03-01', 'x')`)
  t.equal(empty, undefined, 'a term ended on its start date is empty: it takes no seat')
  const stretched = await refusal(sql`UPDATE appointments SET end_date = '2025-03-01' WHERE person_id = ${b.person.id} AND start_date = '2024-01-01'`)
  t.equal(stretched?.constraint, 'appointments_seats', 'a term stretched over the next one is refused')
  const pair = await createUnit(app, { level: 'booth', parentId: tree.ward.id, code: 'PAIR', name: 'Pair' })
  const c = await activeMember(app, pair.id, 'C')
  const d = await activeMember(app, pair.id, 'D')
  const together = await refusal(sql`INSERT INTO appointments (person_id, unit_id, role_code, start_date) VALUES (${c.person.id}, ${pair.id}, 'president', '2025-01-01'), (${d.person.id}, ${pair.id}, 'president', '2025-02-01')`)
  t.equal(together?.constraint, 'appointments_seats', 'two presidents in one statement are refused')
  const double = await refusal(sql`INSERT INTO appointments (person_id, unit_id, role_code, start_date) VALUES (${a.person.id}, ${booth.id}, 'committee_member', '2025-01-01'), (${a.person.id}, ${booth.id}, 'committee_member', '2025-03-01')`)
  t.equal(double?.constraint, 'appointments_no_double_term')
  t.equal(double?.code, '23P01', 'refused as the exclusion constraint it replaced was')
  // Across statements, and by updates: the triggers check the person's terms in the post.
  await db.execute(sql`INSERT INTO appointments (person_id, unit_id, role_code, start_date, end_date, end_reason) VALUES (${a.person.id}, ${booth.id}, 'committee_member', '2024-01-01', '2024-06-01', 'x')`)
  await db.execute(sql`INSERT INTO appointments (person_id, unit_id, role_code, start_date) VALUES (${a.person.id}, ${booth.id}, 'committee_member', '2025-01-01')`)
  const again = await refusal(sql`INSERT INTO appointments (person_id, unit_id, role_code, start_date, end_date, end_reason) VALUES (${a.person.id}, ${booth.id}, 'committee_member', '2024-12-01', '2025-01-02', 'x')`)
  t.equal(again?.constraint, 'appointments_no_double_term', 'a later statement overlapping a term of the same post is refused')
  const touching = await refusal(sql`INSERT INTO appointments (person_id, unit_id, role_code, start_date, end_date, end_reason) VALUES (${a.person.id}, ${booth.id}, 'committee_member', '2024-06-01', '2025-01-01', 'x')`)
  t.equal(touching, undefined, 'terms that meet end to start do not overlap')
  const secretary = await refusal(sql`INSERT INTO appointments (person_id, unit_id, wing_code, role_code, start_date) VALUES (${a.person.id}, ${booth.id}, 'youth', 'secretary', '2025-01-01')`)
  t.equal(secretary, undefined, 'one of the youth wing\'s two booth secretaries')
  const bothSeats = await refusal(sql`INSERT INTO appointments (person_id, unit_id, wing_code, role_code, start_date) VALUES (${a.person.id}, ${booth.id}, 'youth', 'secretary', '2025-02-01')`)
  t.equal(bothSeats?.constraint, 'appointments_no_double_term', 'a seat is free, but not for the same person')
  const stretchedOver = await refusal(sql`UPDATE appointments SET end_date = '2024-06-02' WHERE person_id = ${a.person.id} AND wing_code = 'main' AND role_code = 'committee_member' AND start_date = '2024-01-01'`)
  t.equal(stretchedOver?.constraint, 'appointments_no_double_term', 'a term stretched over the same person\'s next one is refused')
  await db.execute(sql`INSERT INTO appointments (person_id, unit_id, role_code, start_date) VALUES (${b.person.id}, ${booth.id}, 'committee_member', '2025-01-01')`)
  const handedOver = await refusal(sql`UPDATE appointments SET person_id = ${a.person.id} WHERE person_id = ${b.person.id} AND role_code = 'committee_member'`)
  t.equal(handedOver?.constraint, 'appointments_no_double_term', 'a term handed to someone already in the post is refused')
  const level = await refusal(sql`INSERT INTO appointments (person_id, unit_id, role_code, start_date) VALUES (${a.person.id}, ${tree.district.id}, 'bla', '2025-01-01')`)
  t.equal(level?.constraint, 'appointments_role_level')
  const twoMemberships = await refusal(sql`INSERT INTO memberships (person_id, booth_id, grade, joined_on) VALUES (${a.person.id}, ${booth.id}, 'active', '2025-01-01')`)
  t.equal(twoMemberships?.constraint, 'memberships_one_current_idx')
  const homeWard = await refusal(sql`INSERT INTO people (name, home_booth_id) VALUES ('x', ${tree.ward.id})`)
  t.equal(homeWard?.code, '23503', 'a home must be a booth')
  const homeWardLevel = await refusal(sql`INSERT INTO people (name, home_booth_id, home_level) VALUES ('x', ${tree.ward.id}, 'ward')`)
  t.equal(homeWardLevel?.constraint, 'people_home_level_check')
  const badPhone = await refusal(sql`INSERT INTO people (name, home_booth_id, phone) VALUES ('x', ${booth.id}, '98765')`)
  t.equal(badPhone?.constraint, 'people_phone_check')
})

t.test('the seed\'s whole-table checks find what the triggers refuse', async (t) => {
  // With the triggers off (as the seed loads), a second president, a BLA at a district, a
  // booth committee of two and A twice in it: post_violations() and double_terms() over the
  // whole table, and over the terms given as arrays or people (what the triggers ask), name
  // the president, the BLA and A's two committee terms; B's earlier committee term (which
  // ends as the next begins) is not a double.
  const booth = await createUnit(app, { level: 'booth', parentId: tree.ward.id, code: 'WHOLE', name: 'Whole' })
  const a = await activeMember(app, booth.id, 'Whole A')
  const b = await activeMember(app, booth.id, 'Whole B')
  class Rollback extends Error {}
  let found: Array<{ who: string, violation: string, given: boolean }> = []
  await db.transaction(async (tx) => {
    await tx.execute(sql`ALTER TABLE appointments DISABLE TRIGGER USER`)
    await tx.execute(sql`INSERT INTO appointments (person_id, unit_id, role_code, start_date) VALUES
      (${a.person.id}, ${booth.id}, 'president', '2025-01-01'), (${b.person.id}, ${booth.id}, 'president', '2025-02-01'),
      (${a.person.id}, ${tree.district.id}, 'bla', '2025-01-01'),
      (${a.person.id}, ${booth.id}, 'committee_member', '2025-01-01'), (${b.person.id}, ${booth.id}, 'committee_member', '2025-01-01')`)
    await tx.execute(sql`INSERT INTO appointments (person_id, unit_id, role_code, start_date, end_date, end_reason) VALUES
      (${a.person.id}, ${booth.id}, 'committee_member', '2024-01-01', '2025-01-02', 'x'), (${b.person.id}, ${booth.id}, 'committee_member', '2024-01-01', '2025-01-01', 'x')`)
    const mine = sql`SELECT id, unit_id, cluster_id, wing_code, role_code, start_date, end_date FROM appointments WHERE person_id IN (${a.person.id}, ${b.person.id})`
    found = await rows(tx, sql`
      SELECT p.name || ' ' || v.role_code AS who, v.violation, false AS given
        FROM post_violations() v JOIN appointments x ON x.id = v.appointment_id JOIN people p ON p.id = x.person_id
       WHERE x.person_id IN (${a.person.id}, ${b.person.id})
      UNION ALL
      SELECT p.name || ' ' || v.role_code, v.violation, true
        FROM (SELECT array_agg(id) AS i, array_agg(unit_id) AS u, array_agg(cluster_id) AS c, array_agg(wing_code) AS w,
                     array_agg(role_code) AS r, array_agg(start_date) AS s, array_agg(end_date) AS e FROM (${mine}) m) g,
             post_violations(g.i, g.u, g.c, g.w, g.r, g.s, g.e) v
        JOIN appointments x ON x.id = v.appointment_id JOIN people p ON p.id = x.person_id
      UNION ALL
      SELECT p.name || ' ' || v.role_code, 'double_term', false
        FROM double_terms() v JOIN people p ON p.id = v.person_id WHERE v.person_id IN (${a.person.id}, ${b.person.id})
      UNION ALL
      SELECT p.name || ' ' || v.role_code, 'double_term', true
        FROM double_terms(ARRAY[${a.person.id}, ${b.person.id}]::uuid[]) v JOIN people p ON p.id = v.person_id
       ORDER BY 3, 1, 2`)
    throw new Rollback()
  }).catch((err: unknown) => { if (!(err instanceof Rollback)) throw err })
  const expected = (given: boolean) => [
    { who: 'Whole A bla', violation: 'role_not_at_level', given },
    { who: 'Whole A committee_member', violation: 'double_term', given },
    { who: 'Whole A committee_member', violation: 'double_term', given },
    { who: 'Whole A president', violation: 'no_free_seat', given },
    { who: 'Whole B president', violation: 'no_free_seat', given }
  ]
  t.same(found, [...expected(false), ...expected(true)], 'the whole table and the arrays agree')
  const [left] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM appointments WHERE person_id IN (${a.person.id}, ${b.person.id})`)
  t.equal(left.n, 0, 'rolled back')
})

t.test('the tree: its shape', async (t) => {
  // These tests bypass the API on purpose: the tree's shape must hold against raw SQL.
  t.test('a unit can only hang under the level directly above', async (t) => {
    const { state, district, ward, booth } = await createChain(app, 'SQLA')
    const boothUnderDistrict = await refusal(sql`INSERT INTO units (level, parent_id, code, name, path, code_path) VALUES ('booth', ${district.id}, 'X', 'x', '0', '')`)
    t.equal(boothUnderDistrict?.code, '23514')
    t.equal(boothUnderDistrict?.constraint, 'units_parent_level_check')

    const districtWithoutParent = await refusal(sql`INSERT INTO units (level, code, name, path, code_path) VALUES ('district', 'X', 'x', '0', '')`)
    t.equal(districtWithoutParent?.constraint, 'units_parent_level_check')

    const stateUnderState = await refusal(sql`INSERT INTO units (level, parent_id, code, name, path, code_path) VALUES ('state', ${state.id}, 'X', 'x', '0', '')`)
    t.equal(stateUnderState?.constraint, 'units_parent_level_check')

    const lyingParentLevel = await refusal(sql`INSERT INTO units (level, parent_id, parent_level, code, name, path, code_path) VALUES ('district', ${ward.id}, 'state', 'X', 'x', '0', '')`)
    t.equal(lyingParentLevel?.constraint, 'units_parent_level_check', 'parent_level is taken from the real parent, not from the statement')

    const moveBoothUnderState = await refusal(sql`UPDATE units SET parent_id = ${state.id} WHERE id = ${booth.id}`)
    t.equal(moveBoothUnderState?.constraint, 'units_parent_level_check')

    const changeLevel = await refusal(sql`UPDATE units SET level = 'block' WHERE id = ${ward.id}`)
    t.ok(changeLevel, 'a unit cannot change level in place')

    const ghostParent = await refusal(sql`INSERT INTO units (level, parent_id, code, name, path, code_path) VALUES ('district', '6a0b2a44-2b51-4c77-9d7b-2a8f3b1f0c11', 'X', 'x', '0', '')`)
    t.equal(ghostParent?.code, '23503')
  })

  t.test('codes are unique among siblings, states included', async (t) => {
    const { state, district } = await createChain(app, 'SQLB')
    const dupChild = await refusal(sql`INSERT INTO units (level, parent_id, code, name, path, code_path) VALUES ('district', ${state.id}, 'D1', 'again', '0', '')`)
    t.equal(dupChild?.code, '23505')
    t.equal(dupChild?.constraint, 'units_sibling_code_key')
    const dupState = await refusal(sql`INSERT INTO units (level, code, name, path, code_path) VALUES ('state', 'SQLBS', 'again', '0', '')`)
    t.equal(dupState?.code, '23505', 'NULLS NOT DISTINCT: two states cannot share a code')
    const badCode = await refusal(sql`INSERT INTO units (level, parent_id, code, name, path, code_path) VALUES ('block', ${district.id}, 'a/b', 'x', '0', '')`)
    t.equal(badCode?.constraint, 'units_code_check')
    const boothFields = await refusal(sql`UPDATE units SET ac_number = 5 WHERE id = ${district.id}`)
    t.equal(boothFields?.constraint, 'units_booth_fields_check')
  })

  t.test('paths are derived by the database and cannot be forged', async (t) => {
    const { state, district, booth } = await createChain(app, 'SQLC')
    await db.execute(sql`UPDATE units SET path = '999.999', code_path = 'FORGED', version = 100 WHERE id = ${district.id}`)
    const [d] = await rows<{ path: string, code_path: string, version: number }>(db, sql`SELECT path::text, code_path, version FROM units WHERE id = ${district.id}`)
    t.equal(d.code_path, 'SQLCS/D1', 'code_path recomputed from the parent')
    const [s] = await rows<{ path: string }>(db, sql`SELECT path::text FROM units WHERE id = ${state.id}`)
    t.ok(d.path.startsWith(s.path + '.'), 'path recomputed from the parent')
    t.equal(d.version, 2, 'version is bumped by the database, not set by the statement')

    const deleteWithChildren = await refusal(sql`DELETE FROM units WHERE id = ${district.id}`)
    t.equal(deleteWithChildren?.code, '23503', 'a unit with children cannot be deleted')

    const [b] = await rows<{ code_path: string }>(db, sql`SELECT code_path FROM units WHERE id = ${booth.id}`)
    t.equal(b.code_path, 'SQLCS/D1/B1/W1/AC072-PS0145')
  })

  t.test('a move by raw SQL carries the subtree, and subtree queries see it', async (t) => {
    const a = await createChain(app, 'SQLD')
    await db.execute(sql`INSERT INTO units (level, parent_id, code, name, path, code_path) VALUES ('block', ${a.district.id}, 'B2', 'Block Two', '0', '')`)
    const [b2] = await rows<{ id: string }>(db, sql`SELECT id FROM units WHERE code_path = 'SQLDS/D1/B2'`)
    await db.execute(sql`UPDATE units SET parent_id = ${b2.id} WHERE id = ${a.ward.id}`)
    const under = await rows<{ code_path: string }>(db, sql`
    SELECT u.code_path FROM units u, units anc
     WHERE anc.id = ${b2.id} AND u.path <@ anc.path AND u.level = 'booth'`)
    t.same(under.map(r => r.code_path), ['SQLDS/D1/B2/W1/AC072-PS0145'])
    const consistent = await rows<{ bad: number }>(db, sql`
    SELECT count(*)::int AS bad FROM units c JOIN units p ON p.id = c.parent_id
     WHERE c.path <> p.path || subpath(c.path, nlevel(c.path) - 1)
        OR c.code_path <> p.code_path || '/' || c.code`)
    t.equal(consistent[0].bad, 0, 'every unit\'s paths extend its parent\'s')
  })

  t.test('descendants at a level are one indexed query', async (t) => {
    // Small tables make the planner prefer sequential scans; forbid them to see the plan it can use.
    const plan = await db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL enable_seqscan = off`)
      return rows<{ 'QUERY PLAN': string }>(tx, sql`
      EXPLAIN SELECT id FROM units
       WHERE level = 'booth' AND code_path >= 'UP/LKO/' AND code_path < 'UP/LKO0'
       ORDER BY code_path LIMIT 51`)
    })
    const text = plan.map(r => r['QUERY PLAN']).join('\n')
    t.match(text, /Index (Only )?Scan using units_level_code_path_idx/, text)
    t.notMatch(text, /Sort/, 'the index already yields code-path order')
  })
})
