import { sql } from 'drizzle-orm'
import t from 'tap'
import { pgError } from '../src/db/errors.js'
import { buildTestApp, call, mintKey } from './helpers/app.js'
import { createChain, createUnit } from './helpers/tree.js'

const { app } = await buildTestApp(t)

async function trail (query = '', key?: string) {
  const res = await call(app, { method: 'GET', url: `/v1/audit?limit=500${query}` }, key)
  if (res.status !== 200) throw new Error(res.body)
  return res.json.items as any[]
}

t.test('every change to a unit is recorded with key, request id, before and after', async (t) => {
  const editor = await mintKey(app, 'editor')
  const state = await createUnit(app, { level: 'state', code: 'AUD', name: 'Audit State' }, { authorization: `Bearer ${editor}`, 'x-request-id': 'req-create-1' })
  const district = await createUnit(app, { level: 'district', parentId: state.id, code: 'D1', name: 'One' }, { authorization: `Bearer ${editor}` })
  const other = await createUnit(app, { level: 'district', parentId: state.id, code: 'D2', name: 'Two' }, { authorization: `Bearer ${editor}` })
  const block = await createUnit(app, { level: 'block', parentId: district.id, code: 'B1', name: 'Block' }, { authorization: `Bearer ${editor}` })
  await call(app, { method: 'PATCH', url: `/v1/units/${district.id}`, payload: { name: 'One, renamed' } }, editor)
  await call(app, { method: 'POST', url: `/v1/units/${block.id}/move`, payload: { parentId: other.id } }, editor)
  await call(app, { method: 'DELETE', url: `/v1/units/${block.id}` }, editor)

  const keys = await call(app, { method: 'GET', url: '/v1/api-keys?limit=500' })
  const editorId = keys.json.items.find((k: any) => editor.startsWith(k.prefix) && k.role === 'editor').id

  const records = await trail(`&entityType=unit&keyId=${editorId}`)
  t.same(records.map(r => r.action), ['delete', 'move', 'update', 'create', 'create', 'create', 'create'], 'newest first')
  const created = records.find(r => r.entityId === state.id)
  t.equal(created.requestId, 'req-create-1')
  t.equal(created.keyId, editorId)
  t.equal(created.after.code, 'AUD')
  t.equal(created.before, null)
  const update = records.find(r => r.action === 'update')
  t.equal(update.before.name, 'One')
  t.equal(update.after.name, 'One, renamed')
  const move = records.find(r => r.action === 'move')
  t.equal(move.before.parentId, district.id)
  t.equal(move.after.parentId, other.id)
  const del = records.find(r => r.action === 'delete')
  t.equal(del.before.id, block.id)
  t.equal(del.after, null)

  const aboutDistrictTwo = await trail(`&unitId=${other.id}`)
  t.ok(aboutDistrictTwo.some(r => r.entityId === other.id), 'filter by unit subtree')

  const page = await call(app, { method: 'GET', url: `/v1/audit?limit=2&keyId=${editorId}` })
  t.equal(page.json.items.length, 2)
  const next = await call(app, { method: 'GET', url: `/v1/audit?limit=2&keyId=${editorId}&cursor=${page.json.nextCursor}` })
  t.ok(next.json.items[0].id < page.json.items[1].id, 'cursor pagination')
  const later = await trail(`&from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)
  t.equal(later.length, 0, 'time range filter')
})

t.test('key creation and revocation are audited', async (t) => {
  const res = await call(app, { method: 'POST', url: '/v1/api-keys', payload: { role: 'reader', label: 'audited' } })
  await call(app, { method: 'DELETE', url: `/v1/api-keys/${res.json.id}` })
  const records = await trail(`&entityType=api_key&entityId=${res.json.id}`)
  t.same(records.map(r => r.action), ['revoke', 'create'])
  t.notMatch(JSON.stringify(records), res.json.key, 'the secret is not in the trail')
})

t.test('a scoped admin reads only its subtree\'s records', async (t) => {
  const { state, district } = await createChain(app, 'AUS')
  const other = await createUnit(app, { level: 'district', parentId: state.id, code: 'D9', name: 'Nine' })
  const scopedAdmin = await mintKey(app, 'admin', district.id)
  const records = await trail('', scopedAdmin)
  t.ok(records.length >= 4)
  t.notOk(records.some(r => r.entityId === other.id || r.entityId === state.id), 'nothing outside the subtree')
})

t.test('the record rolls back with its change, and a change fails without its record', async (t) => {
  const { district } = await createChain(app, 'AUR')
  await mintKey(app, 'reader', district.id)
  // The key's scope holds the district: deleting fails after the audit row was written.
  const refused = await call(app, { method: 'DELETE', url: `/v1/units/${district.id}` })
  t.equal(refused.status, 409)
  const leaf = await createUnit(app, { level: 'block', parentId: district.id, code: 'LEAF', name: 'Leaf' })
  await app.db.execute(sql`INSERT INTO api_keys (label, role, scope_unit_id, secret_hash, prefix) VALUES ('pin', 'reader', ${leaf.id}, 'x-hash', 'x')`)
  const blocked = await call(app, { method: 'DELETE', url: `/v1/units/${leaf.id}` })
  t.equal(blocked.status, 409)
  t.equal(blocked.json.code, 'unit_scopes_api_keys')
  const deletes = await trail(`&entityType=unit&entityId=${leaf.id}&action=delete`)
  t.equal(deletes.length, 0, 'no record of a delete that rolled back')

  // Make the audit write itself fail: the change must not happen.
  await app.db.execute(sql`ALTER TABLE audit_log ADD CONSTRAINT test_refuse_units CHECK (entity_type <> 'unit') NOT VALID`)
  try {
    const res = await call(app, { method: 'POST', url: '/v1/units', payload: { level: 'block', parentId: district.id, code: 'NOAUDIT', name: 'x' } })
    t.ok(res.status >= 400 && res.status < 500, `refused with ${res.status}, not a 500`)
  } finally {
    await app.db.execute(sql`ALTER TABLE audit_log DROP CONSTRAINT test_refuse_units`)
  }
  const lookup = await call(app, { method: 'GET', url: '/v1/units/lookup?path=AURS/D1/NOAUDIT' })
  t.equal(lookup.status, 404, 'the unit was not created')
})

t.test('the trail is append-only, even to raw SQL', async (t) => {
  for (const statement of [sql`UPDATE audit_log SET action = 'forged'`, sql`DELETE FROM audit_log`, sql`TRUNCATE audit_log`]) {
    let code: string | undefined
    try { await app.db.execute(statement) } catch (err) { code = pgError(err)?.code }
    t.equal(code, '42501')
  }
  t.ok((await trail()).length > 0)
})
