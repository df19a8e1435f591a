import { sql } from 'drizzle-orm'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { ADMIN_KEY, buildTestApp, call, databaseEnv, mintKey } from './helpers/app.js'
import { activeMember, appoint } from './helpers/people.js'
import { createChain, createUnit } from './helpers/tree.js'

const { app, logs, databaseUrl } = await buildTestApp(t, { RATE_LIMIT_MAX: '1000' })

// Two districts of one state; scoped keys live in district A.
const a = await createChain(app, 'ACC')
const districtB = await createUnit(app, { level: 'district', parentId: a.state.id, code: 'D2', name: 'District Two' })
const blockB = await createUnit(app, { level: 'block', parentId: districtB.id, code: 'B1', name: 'Block B1' })

const wardB = await createUnit(app, { level: 'ward', parentId: blockB.id, code: 'W1', name: 'Ward B1' })
const boothB = await createUnit(app, { level: 'booth', parentId: wardB.id, code: 'PS1', name: 'Booth B1' })
// One office-bearer on each side of the scope boundary.
const inside = await activeMember(app, a.booth.id, 'Inside Person')
const outside = await activeMember(app, boothB.id, 'Outside Person')
const insideTerm = await appoint(app, { personId: inside.person.id, unitId: a.booth.id, role: 'president' })
const outsideTerm = await appoint(app, { personId: outside.person.id, unitId: boothB.id, role: 'president' })
const unique = () => Math.random().toString(36).slice(2, 8)

const ROLES = ['reader', 'editor', 'importer', 'admin'] as const
const keys: Record<string, Record<string, string>> = { global: {}, scoped: {} }
for (const role of ROLES) {
  keys.global[role] = await mintKey(app, role)
  keys.scoped[role] = await mintKey(app, role, a.district.id)
}

t.test('no key, a bad key: 401 with a reason', async (t) => {
  const none = await call(app, { method: 'GET', url: '/v1/units' }, null)
  t.equal(none.status, 401)
  t.equal(none.json.code, 'missing_credentials')
  t.match(none.headers['www-authenticate'], /^Bearer/)
  const unknown = await call(app, { method: 'GET', url: '/v1/units' }, 'sg_not_a_real_key_at_all_000000000000')
  t.equal(unknown.status, 401)
  t.equal(unknown.json.code, 'invalid_key')
  const basic = await call(app, { method: 'GET', url: '/v1/units', headers: { authorization: 'Basic dXNlcjpwYXNz' } }, null)
  t.equal(basic.json.code, 'missing_credentials')
  for (const url of ['/health/live', '/health/ready', '/openapi.json', '/docs']) {
    t.equal((await call(app, { method: 'GET', url }, null)).status, 200, `${url} is open`)
  }
})

t.test('the matrix: role x scope x read/write on every route family', async (t) => {
  type Expect = Record<typeof ROLES[number], number>
  const rows: Array<[string, 'global' | 'scoped', () => { method: string, url: string, payload?: unknown }, Expect]> = [
    // units: read
    ['read unit (global key)', 'global', () => ({ method: 'GET', url: `/v1/units/${districtB.id}` }), { reader: 200, editor: 200, importer: 200, admin: 200 }],
    ['read unit in scope', 'scoped', () => ({ method: 'GET', url: `/v1/units/${a.booth.id}` }), { reader: 200, editor: 200, importer: 200, admin: 200 }],
    ['read unit out of scope', 'scoped', () => ({ method: 'GET', url: `/v1/units/${districtB.id}` }), { reader: 404, editor: 404, importer: 404, admin: 404 }],
    // units: write
    ['write unit (global key)', 'global', () => ({ method: 'PATCH', url: `/v1/units/${districtB.id}`, payload: { name: 'District Two' } }), { reader: 403, editor: 200, importer: 403, admin: 200 }],
    ['write unit in scope', 'scoped', () => ({ method: 'PATCH', url: `/v1/units/${a.block.id}`, payload: { name: 'Block One' } }), { reader: 403, editor: 200, importer: 403, admin: 200 }],
    ['write unit out of scope', 'scoped', () => ({ method: 'PATCH', url: `/v1/units/${blockB.id}`, payload: { name: 'Block B1' } }), { reader: 403, editor: 404, importer: 403, admin: 404 }],
    ['create under a unit out of scope', 'scoped', () => ({ method: 'POST', url: '/v1/units', payload: { level: 'ward', parentId: blockB.id, code: `X${Math.random().toString(36).slice(2, 8).toUpperCase()}`, name: 'x' } }), { reader: 403, editor: 422, importer: 403, admin: 422 }],
    // people
    ['read person (global key)', 'global', () => ({ method: 'GET', url: `/v1/people/${outside.person.id}` }), { reader: 200, editor: 200, importer: 200, admin: 200 }],
    ['read person in scope', 'scoped', () => ({ method: 'GET', url: `/v1/people/${inside.person.id}` }), { reader: 200, editor: 200, importer: 200, admin: 200 }],
    ['read person out of scope', 'scoped', () => ({ method: 'GET', url: `/v1/people/${outside.person.id}` }), { reader: 404, editor: 404, importer: 404, admin: 404 }],
    ['write person (global key)', 'global', () => ({ method: 'PATCH', url: `/v1/people/${outside.person.id}`, payload: { name: 'Outside Person' } }), { reader: 403, editor: 200, importer: 403, admin: 200 }],
    ['write person in scope', 'scoped', () => ({ method: 'PATCH', url: `/v1/people/${inside.person.id}`, payload: { name: 'Inside Person' } }), { reader: 403, editor: 200, importer: 403, admin: 200 }],
    ['write person out of scope', 'scoped', () => ({ method: 'PATCH', url: `/v1/people/${outside.person.id}`, payload: { name: 'x' } }), { reader: 403, editor: 404, importer: 403, admin: 404 }],
    ['add a person at a booth out of scope', 'scoped', () => ({ method: 'POST', url: '/v1/people', payload: { name: 'New', homeBoothId: boothB.id } }), { reader: 403, editor: 422, importer: 403, admin: 422 }],
    // memberships
    ['read membership in scope', 'scoped', () => ({ method: 'GET', url: `/v1/memberships/${inside.membership.id}` }), { reader: 200, editor: 200, importer: 200, admin: 200 }],
    ['read membership out of scope', 'scoped', () => ({ method: 'GET', url: `/v1/memberships/${outside.membership.id}` }), { reader: 404, editor: 404, importer: 404, admin: 404 }],
    ['write membership (global key)', 'global', () => ({ method: 'PATCH', url: `/v1/memberships/${outside.membership.id}`, payload: { grade: 'active' } }), { reader: 403, editor: 200, importer: 403, admin: 200 }],
    ['write membership in scope', 'scoped', () => ({ method: 'PATCH', url: `/v1/memberships/${inside.membership.id}`, payload: { grade: 'active' } }), { reader: 403, editor: 200, importer: 403, admin: 200 }],
    ['write membership out of scope', 'scoped', () => ({ method: 'PATCH', url: `/v1/memberships/${outside.membership.id}`, payload: { grade: 'active' } }), { reader: 403, editor: 404, importer: 403, admin: 404 }],
    // appointments
    ['read appointment in scope', 'scoped', () => ({ method: 'GET', url: `/v1/appointments/${insideTerm.id}` }), { reader: 200, editor: 200, importer: 200, admin: 200 }],
    ['read appointment out of scope', 'scoped', () => ({ method: 'GET', url: `/v1/appointments/${outsideTerm.id}` }), { reader: 404, editor: 404, importer: 404, admin: 404 }],
    ['appoint out of scope', 'scoped', () => ({ method: 'POST', url: '/v1/appointments', payload: { personId: outside.person.id, unitId: boothB.id, role: 'committee_member' } }), { reader: 403, editor: 422, importer: 403, admin: 422 }],
    ['end a term out of scope', 'scoped', () => ({ method: 'PATCH', url: `/v1/appointments/${outsideTerm.id}`, payload: { endDate: '2020-01-01', endReason: 'x' } }), { reader: 403, editor: 404, importer: 403, admin: 404 }],
    // roles catalogue: global
    ['read roles', 'scoped', () => ({ method: 'GET', url: '/v1/roles' }), { reader: 200, editor: 200, importer: 200, admin: 200 }],
    ['change the catalogue (global key)', 'global', () => ({ method: 'POST', url: '/v1/roles', payload: { code: `r_${unique()}`, name: 'R', levels: ['ward'] } }), { reader: 403, editor: 403, importer: 403, admin: 201 }],
    ['change the catalogue (scoped key)', 'scoped', () => ({ method: 'POST', url: '/v1/roles', payload: { code: `r_${unique()}`, name: 'R', levels: ['ward'] } }), { reader: 403, editor: 403, importer: 403, admin: 403 }],
    // coverage: read only
    ['coverage (global key)', 'global', () => ({ method: 'GET', url: `/v1/units/${a.state.id}/coverage` }), { reader: 200, editor: 200, importer: 200, admin: 200 }],
    ['coverage in scope', 'scoped', () => ({ method: 'GET', url: `/v1/units/${a.district.id}/coverage` }), { reader: 200, editor: 200, importer: 200, admin: 200 }],
    ['coverage out of scope', 'scoped', () => ({ method: 'GET', url: `/v1/units/${districtB.id}/gaps` }), { reader: 404, editor: 404, importer: 404, admin: 404 }],
    // api keys: read and write
    ['list keys (global key)', 'global', () => ({ method: 'GET', url: '/v1/api-keys' }), { reader: 403, editor: 403, importer: 403, admin: 200 }],
    ['list keys (scoped key)', 'scoped', () => ({ method: 'GET', url: '/v1/api-keys' }), { reader: 403, editor: 403, importer: 403, admin: 200 }],
    ['mint a key in scope', 'scoped', () => ({ method: 'POST', url: '/v1/api-keys', payload: { role: 'reader', label: 'r', scopeUnitId: a.block.id } }), { reader: 403, editor: 403, importer: 403, admin: 201 }],
    ['mint a key out of scope', 'scoped', () => ({ method: 'POST', url: '/v1/api-keys', payload: { role: 'reader', label: 'r', scopeUnitId: districtB.id } }), { reader: 403, editor: 403, importer: 403, admin: 422 }],
    ['mint a global key', 'global', () => ({ method: 'POST', url: '/v1/api-keys', payload: { role: 'reader', label: 'r' } }), { reader: 403, editor: 403, importer: 403, admin: 201 }],
    // audit: read only
    ['read audit (global key)', 'global', () => ({ method: 'GET', url: '/v1/audit' }), { reader: 403, editor: 403, importer: 403, admin: 200 }],
    ['read audit (scoped key)', 'scoped', () => ({ method: 'GET', url: '/v1/audit' }), { reader: 403, editor: 403, importer: 403, admin: 200 }],
    ['audit cannot be written', 'global', () => ({ method: 'DELETE', url: '/v1/audit' }), { reader: 404, editor: 404, importer: 404, admin: 404 }]
  ]
  for (const [what, scope, request, expect] of rows) {
    for (const role of ROLES) {
      const res = await call(app, request() as any, keys[scope][role])
      t.equal(res.status, expect[role], `${what}: ${scope} ${role} -> ${expect[role]}`)
    }
  }
})

t.test('a scoped key sees only its subtree', async (t) => {
  const reader = keys.scoped.reader
  const all = await call(app, { method: 'GET', url: '/v1/units?limit=500' }, reader)
  t.ok(all.json.items.length > 0)
  t.ok(all.json.items.every((u: any) => u.codePath === 'ACCS/D1' || u.codePath.startsWith('ACCS/D1/')), 'lists are filtered to the subtree, the scope unit included')
  t.equal((await call(app, { method: 'GET', url: '/v1/units/lookup?path=ACCS/D2' }, reader)).status, 404)
  t.equal((await call(app, { method: 'GET', url: `/v1/units/${a.state.id}/children` }, reader)).status, 404)
  const crumb = await call(app, { method: 'GET', url: `/v1/units/${a.booth.id}/ancestors` }, reader)
  t.same(crumb.json.items.map((u: any) => u.code), ['D1', 'B1', 'W1'], 'the breadcrumb stops at the scope')
  const underB = await call(app, { method: 'GET', url: `/v1/units?ancestorId=${districtB.id}` }, reader)
  t.same(underB.json.items, [], 'an out-of-scope ancestor yields nothing')
})

t.test('a scoped key cannot escalate or escape', async (t) => {
  const admin = keys.scoped.admin
  const stateCreate = await call(app, { method: 'POST', url: '/v1/units', payload: { level: 'state', code: 'ESC', name: 'Escape' } }, keys.scoped.editor)
  t.equal(stateCreate.status, 403)
  t.equal(stateCreate.json.code, 'outside_scope')
  const moveOut = await call(app, { method: 'POST', url: `/v1/units/${a.ward.id}/move`, payload: { parentId: blockB.id } }, keys.scoped.editor)
  t.equal(moveOut.status, 422, 'moving to a parent outside the subtree is refused')
  t.equal(moveOut.json.code, 'parent_not_found')
  const global = await call(app, { method: 'POST', url: '/v1/api-keys', payload: { role: 'admin', label: 'wider' } }, admin)
  t.equal(global.status, 403)
  t.equal(global.json.code, 'key_escalation')
  const wider = await call(app, { method: 'POST', url: '/v1/api-keys', payload: { role: 'admin', label: 'wider', scopeUnitId: a.state.id } }, admin)
  t.equal(wider.status, 422)
  t.equal(wider.json.code, 'scope_unit_not_found')
  const narrower = await call(app, { method: 'POST', url: '/v1/api-keys', payload: { role: 'editor', label: 'ward editor', scopeUnitId: a.ward.id } }, admin)
  t.equal(narrower.status, 201)
  t.equal(narrower.json.scopeCodePath, 'ACCS/D1/B1/W1')
  t.match(narrower.json.key, /^sg_[A-Za-z0-9_-]{43}$/)
  t.equal(narrower.headers['cache-control'], 'no-store')

  const list = await call(app, { method: 'GET', url: '/v1/api-keys?limit=500' }, admin)
  t.ok(list.json.items.every((k: any) => k.scopeCodePath?.startsWith('ACCS/D1')), 'a scoped admin lists keys within its subtree only')
  t.notOk(list.json.items.some((k: any) => 'key' in k || 'secretHash' in k), 'secrets never listed')
  const globalAdminKeys = await call(app, { method: 'GET', url: '/v1/api-keys?limit=500' })
  const outsider = globalAdminKeys.json.items.find((k: any) => k.scopeUnitId === null)
  t.equal((await call(app, { method: 'DELETE', url: `/v1/api-keys/${outsider.id}` }, admin)).status, 404, 'cannot revoke a key outside its scope')
  const masked = await call(app, { method: 'POST', url: '/v1/api-keys', payload: { role: 'editor', label: 'm', scopeUnitId: a.ward.id, maskPersonalData: true } }, admin)
  t.equal(masked.json.code, 'masking_only_for_readers')
  const past = await call(app, { method: 'POST', url: '/v1/api-keys', payload: { role: 'reader', label: 'p', scopeUnitId: a.ward.id, expiresAt: '2020-01-01' } }, admin)
  t.equal(past.json.code, 'expiry_in_past')
})

t.test('revocation and expiry take effect at once on this instance', async (t) => {
  const secret = await mintKey(app, 'reader')
  t.equal((await call(app, { method: 'GET', url: '/v1/units' }, secret)).status, 200, 'warm the cache')
  const listed = await call(app, { method: 'GET', url: '/v1/api-keys?limit=500' })
  const id = listed.json.items.find((k: any) => secret.startsWith(k.prefix) && k.label === 'reader test key' && k.revokedAt === null).id
  t.equal((await call(app, { method: 'DELETE', url: `/v1/api-keys/${id}` })).status, 204)
  const after = await call(app, { method: 'GET', url: '/v1/units' }, secret)
  t.equal(after.status, 401)
  t.equal(after.json.code, 'key_revoked')
  const read = await call(app, { method: 'GET', url: `/v1/api-keys/${id}` })
  t.type(read.json.revokedAt, 'string')
  t.notOk((await call(app, { method: 'GET', url: '/v1/api-keys?limit=500' })).json.items.some((k: any) => k.id === id), 'revoked keys are hidden by default')
  t.ok((await call(app, { method: 'GET', url: '/v1/api-keys?limit=500&includeRevoked=true' })).json.items.some((k: any) => k.id === id))

  const soon = new Date(Date.now() + 1500).toISOString()
  const expiring = await mintKey(app, 'reader', null, { expiresAt: soon })
  t.equal((await call(app, { method: 'GET', url: '/v1/units' }, expiring)).status, 200)
  await new Promise(resolve => setTimeout(resolve, 1600))
  const expired = await call(app, { method: 'GET', url: '/v1/units' }, expiring)
  t.equal(expired.status, 401)
  t.equal(expired.json.code, 'key_expired')
})

t.test('a revocation reaches another instance within 5 seconds', { skip: !databaseUrl && 'needs two instances on one PostgreSQL database' }, async (t) => {
  const config = { ...loadConfig({ ...databaseEnv(databaseUrl), LOG_LEVEL: 'silent', BOOTSTRAP_ADMIN_KEY: ADMIN_KEY }), DATA_DIR_PGLITE: undefined }
  const second = await buildApp({ config })
  t.teardown(() => second.close())
  const secret = await mintKey(app, 'reader')
  t.equal((await call(second, { method: 'GET', url: '/v1/units' }, secret)).status, 200, 'the other instance caches the key')
  const listed = await call(app, { method: 'GET', url: '/v1/api-keys?limit=500' })
  const id = listed.json.items.find((k: any) => secret.startsWith(k.prefix)).id
  const revokedAt = Date.now()
  t.equal((await call(app, { method: 'DELETE', url: `/v1/api-keys/${id}` })).status, 204)
  let status = 200
  while (status === 200 && Date.now() - revokedAt < 7_000) {
    await new Promise(resolve => setTimeout(resolve, 200))
    status = (await call(second, { method: 'GET', url: '/v1/units' }, secret)).status
  }
  t.equal(status, 401)
  t.ok(Date.now() - revokedAt <= 5_000, `refused ${Date.now() - revokedAt} ms after revocation`)
})

t.test('last use is recorded, at most once a minute', async (t) => {
  const secret = await mintKey(app, 'reader', a.ward.id)
  await call(app, { method: 'GET', url: `/v1/units/${a.ward.id}` }, secret)
  // Written off the request's path: wait until it lands, for as long as a loaded machine needs.
  const lastUsed = async () => (await app.db.execute(sql`SELECT last_used_at FROM api_keys WHERE prefix = ${secret.slice(0, 9)}`) as any).rows[0].last_used_at
  const deadline = Date.now() + 30_000
  while (!(await lastUsed()) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
  t.ok(await lastUsed(), 'last_used_at set')
})

t.test('rate limits are per key, with 429 problems and Retry-After', async (t) => {
  const { app: limited } = await buildTestApp(t, { RATE_LIMIT_MAX: '3' })
  const other = await mintKey(limited, 'reader')
  for (let i = 0; i < 2; i++) t.equal((await call(limited, { method: 'GET', url: '/v1/units' })).status, 200)
  const over = await call(limited, { method: 'GET', url: '/v1/units' })
  t.equal(over.status, 429)
  t.equal(over.json.code, 'rate_limited')
  t.match(over.headers['content-type'], /problem\+json/)
  t.ok(Number(over.headers['retry-after']) > 0)
  t.equal((await call(limited, { method: 'GET', url: '/v1/units' }, other)).status, 200, 'another key has its own budget')
  t.equal((await call(limited, { method: 'GET', url: '/health/live' }, null)).status, 200, 'health is not limited')
})

t.test('no secret, phone number or voter ID reaches the log', async (t) => {
  const secret = keys.global.reader
  await call(app, { method: 'GET', url: '/v1/units?q=9876543210' }, secret)
  await call(app, { method: 'GET', url: '/v1/units?q=%2B91%2098765%2043210&x=ABC1234567' }, secret)
  await call(app, { method: 'GET', url: '/v1/units?q=09876543210' }, secret)
  await call(app, { method: 'GET', url: '/v1/units' }, 'sg_wrong_secret_value_with_enough_length_0000')
  app.log.error({ err: Object.assign(new Error('Failed query: select 1\nparams: 9876543210,ABC1234567'), { detail: 'Key (voter_id)=(ABC1234567) already exists.' }) }, 'boom')
  const text = JSON.stringify(logs)
  t.ok(logs.some(l => String((l.req as any)?.url).includes('[phone]')), 'the URL is logged, scrubbed')
  for (const needle of [secret, 'sg_wrong_secret_value', '9876543210', '98765 43210', 'ABC1234567', 'abc1234567']) {
    t.notOk(text.toLowerCase().includes(needle.toLowerCase()), `${needle.slice(0, 12)}… not in the log`)
  }
})

t.test('GET /v1/me: what a key learns about itself', async (t) => {
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
})
