import t from 'tap'
import { buildTestApp, call, mintKey } from './helpers/app.js'
import { activeMember, appoint } from './helpers/people.js'
import { createChain, createUnit } from './helpers/tree.js'

/**
 * The country by state in one request: the same figures as each state's own coverage,
 * summed, for keys without a scope.
 */

const { app } = await buildTestApp(t)
const get = async (url: string, key?: string) => call(app, { method: 'GET', url }, key)

const north = await createChain(app, 'NTH')
const south = await createChain(app, 'STH')
await createUnit(app, { level: 'booth', parentId: south.ward.id, code: 'PS2', name: 'Second booth' })
for (const chain of [north, south]) {
  const { person } = await activeMember(app, chain.booth.id, `President of ${chain.state.code}`, { twitter: `@p_${chain.state.code.toLowerCase()}` })
  await appoint(app, { personId: person.id, unitId: chain.booth.id, role: 'president' })
}

t.test('the country and each state, from the same counters as each state\'s coverage', async (t) => {
  const res = await get('/v1/coverage')
  t.equal(res.status, 200)
  t.same(res.json.children.map((r: any) => r.code), ['NTHS', 'STHS'])
  for (const row of res.json.children) {
    const own = await get(`/v1/units/${row.unitId}/coverage`)
    t.same(row, own.json.unit, `${row.code}: the state's own coverage row`)
  }
  t.same(res.json.country, {
    states: 2,
    totalBooths: 3,
    coveredBooths: 2,
    coverage: 0.6667,
    boothsWithCommittee: 0,
    activeMembers: 2,
    newMembers: 2,
    officeBearers: 2,
    officeBearersWithHandle: 2
  })
  t.match(res.json, { wing: 'main', role: 'president', nextCursor: null })

  const first = await get('/v1/coverage?limit=1')
  t.same(first.json.children.map((r: any) => r.code), ['NTHS'])
  t.equal(first.json.country.states, 2, 'the country is every state, whatever the page')
  const second = await get(`/v1/coverage?limit=1&cursor=${first.json.nextCursor}`)
  t.same(second.json.children.map((r: any) => r.code), ['STHS'])
  t.equal(second.json.nextCursor, null)

  const youth = await get('/v1/coverage?wing=youth')
  t.equal(youth.json.country.coveredBooths, 0, 'per wing')
})

t.test('as CSV: the country first, then each state', async (t) => {
  const res = await get('/v1/coverage?format=csv')
  t.equal(res.status, 200)
  const lines = res.body.replace(/^\uFEFF/, '').trim().split(/\r?\n/)
  t.equal(lines.length, 4)
  t.match(lines[0], /^code_path,code,name,level,total_booths,covered_booths,coverage,/)
  t.match(lines[1], /^,,All states,country,3,2,0.6667,/)
  t.match(lines[2], /^NTHS,NTHS,/)
})

t.test('keys with a scope, and questions that make no sense, are refused', async (t) => {
  const scoped = await mintKey(app, 'reader', north.state.id)
  const refused = await get('/v1/coverage', scoped)
  t.equal(refused.status, 403)
  t.equal(refused.json.code, 'global_key_required')
  t.notMatch(refused.body, /STHS/, 'nothing about another state')
  const reader = await mintKey(app, 'reader', null)
  t.equal((await get('/v1/coverage', reader)).status, 200, 'a global reader may ask')
  t.equal((await get('/v1/coverage?role=nobody')).json.code, 'unknown_role')
  t.equal((await get('/v1/coverage?role=committee_member&wing=main')).status, 200)
})
