import t from 'tap'
import { buildTestApp, call, mintKey } from './helpers/app.js'
import { createChain, createUnit } from './helpers/tree.js'

const { app } = await buildTestApp(t)
const chain = await createChain(app, 'ME')

t.test('GET /v1/me: the global admin key', async (t) => {
  const res = await call(app, { method: 'GET', url: '/v1/me' })
  t.equal(res.status, 200)
  t.equal(res.json.role, 'admin')
  t.equal(res.json.scopeUnit, null)
  t.equal(res.json.maskPersonalData, false)
  t.same(res.json.permissions, ['read', 'write', 'import', 'manage_keys', 'manage_catalogue', 'read_audit'])
  t.equal(res.headers['cache-control'], 'no-store')
})

t.test('GET /v1/me: any key may ask, and learns its scope and masking', async (t) => {
  const reader = await mintKey(app, 'reader', chain.district.id, { maskPersonalData: true })
  const me = await call(app, { method: 'GET', url: '/v1/me' }, reader)
  t.equal(me.status, 200)
  t.equal(me.json.role, 'reader')
  t.same(me.json.permissions, ['read'])
  t.equal(me.json.maskPersonalData, true)
  t.equal(me.json.scopeUnit.id, chain.district.id)
  t.equal(me.json.scopeUnit.codePath, chain.district.codePath)
  const importer = await mintKey(app, 'importer', chain.block.id)
  const imp = await call(app, { method: 'GET', url: '/v1/me' }, importer)
  t.same(imp.json.permissions, ['read', 'import'])
  t.equal(imp.json.scopeUnit.level, 'block')
})

t.test('GET /v1/me: no key, a revoked key', async (t) => {
  t.equal((await call(app, { method: 'GET', url: '/v1/me' }, null)).json.code, 'missing_credentials')
  const editor = await mintKey(app, 'editor', chain.block.id)
  const id = (await call(app, { method: 'GET', url: '/v1/me' }, editor)).json.keyId
  t.equal((await call(app, { method: 'DELETE', url: `/v1/api-keys/${id}` })).status, 204)
  const after = await call(app, { method: 'GET', url: '/v1/me' }, editor)
  t.equal(after.status, 401)
  t.equal(after.json.code, 'key_revoked')
})

t.test('q finds units by local name and by a part of the code path', async (t) => {
  await createUnit(app, { level: 'block', parentId: chain.district.id, code: 'QB', name: 'Chinhat', localName: 'चिनहट' })
  const byLocal = await call(app, { method: 'GET', url: `/v1/units?q=${encodeURIComponent('चिनहट')}` })
  t.same(byLocal.json.items.map((u: { code: string }) => u.code), ['QB'])
  const path = `${chain.district.code}/QB`
  const byPath = await call(app, { method: 'GET', url: `/v1/units?q=${encodeURIComponent(path)}` })
  t.same(byPath.json.items.map((u: { codePath: string }) => u.codePath), [`${chain.district.codePath}/QB`])
  const byName = await call(app, { method: 'GET', url: '/v1/units?q=chinh' })
  t.same(byName.json.items.map((u: { code: string }) => u.code), ['QB'])
})
