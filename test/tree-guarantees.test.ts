import { sql } from 'drizzle-orm'
import t from 'tap'
import { rows } from '../src/db/client.js'
import { buildTestApp } from './helpers/app.js'
import { refusal as refusalOf } from './helpers/sql.js'
import { createChain } from './helpers/tree.js'

// These tests bypass the API on purpose: the tree's shape must hold against raw SQL.
const { app } = await buildTestApp(t)
const db = app.db

const refusal = (statement: ReturnType<typeof sql>) => refusalOf(db, statement)

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
