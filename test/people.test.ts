import { sql } from 'drizzle-orm'
import t from 'tap'
import { rows } from '../src/db/client.js'
import { normaliseVoterId, VOTER_ID_PATTERN } from '../src/people/identity.js'
import { buildTestApp, call, mintKey } from './helpers/app.js'
import { csv, personByVoterId, postImport } from './helpers/imports.js'
import { createPerson } from './helpers/people.js'
import { createChain } from './helpers/tree.js'

const { app } = await buildTestApp(t)
const tree = await createChain(app, 'PPL')

const NOT_VOTER_IDS = [
  'UP/LKO/B03', 'UP/LKO/B03/W12/AC072-PS0145', 'PPLS/D1/B1', // unit code paths
  'AB/12/123', 'UP/12/123/456789/1', 'UP/1234/1/1', 'UP/1/12345/1', 'UP/1/1/12345678', 'U/12/123/456789', 'UPX/12/123/456789', 'UP/12/123/45678A',
  'ABC123456', 'ABC12345678', 'ABCD1234567', 'AB1234567', '1234567890', 'ABC 123 4567', 'A B C1234567', 'ABC-1234567', '12'
]

t.test('voter IDs: the current EPIC and the older card are accepted, nothing else', async (t) => {
  for (const [input, stored] of [['abc1234567', 'ABC1234567'], [' Abd 1234567 ', 'ABD1234567'], ['up/12/123/456789', 'UP/12/123/456789'], ['MH / 3 / 18 / 1360411', 'MH/3/18/1360411']]) {
    const res = await call(app, { method: 'POST', url: '/v1/people', payload: { name: 'Card Holder', homeBoothId: tree.booth.id, voterId: input } })
    t.equal(res.status, 201, `${input} accepted`)
    t.equal(res.json.voterId, stored, `${input} -> ${stored}`)
  }
  for (const input of NOT_VOTER_IDS) {
    const res = await call(app, { method: 'POST', url: '/v1/people', payload: { name: 'x', homeBoothId: tree.booth.id, voterId: input } })
    t.equal(res.status, 400, `${input} refused`)
    t.equal(res.json.code, 'validation_failed')
    t.match(res.json.errors, [{ pointer: '/voterId', message: /ABC1234567.*UP\/12\/123\/456789/ }])
  }
  const filter = await call(app, { method: 'GET', url: '/v1/people?voterId=UP/LKO/B03' })
  t.equal(filter.status, 400, 'the filter takes the same definition')
  t.equal(filter.json.code, 'validation_failed')
})

t.test('voter IDs: PostgreSQL reads VOTER_ID_PATTERN as JavaScript does (for people_voter_id_check)', async (t) => {
  const samples = ['ABC1234567', 'UP/12/123/456789', 'MH/3/18/1360411', 'AB/1/1/1', ...NOT_VOTER_IDS.map(v => v.toUpperCase())]
  const answers = await rows<{ v: string, ok: boolean }>(app.db, sql`SELECT v, v ~ ${VOTER_ID_PATTERN} AS ok FROM (VALUES ${sql.join(samples.map(v => sql`(${v})`), sql`, `)}) AS s(v)`)
  t.equal(answers.length, samples.length)
  for (const { v, ok } of answers) t.equal(ok, normaliseVoterId(v) === v, `${v}: ${ok ? 'matches' : 'does not match'} in both`)
  t.ok(answers.filter(a => a.ok).length >= 4)
})

t.test('voter IDs: an import row with a unit code path for a voter ID fails as invalid_voter_id', async (t) => {
  const booth = tree.booth.codePath
  const res = await postImport(app, 'booth-presidents', csv('booth,name,voter_id,role',
    `${booth},Path Not Card,UP/LKO/B03,president`,
    `${booth},New Card,pqr7654321,president`,
    `${booth},Old Card,UP/72/145/0012345,bla`,
    `${booth},Spaced Wrong,PQR 765 4321,bla`), { query: 'mode=partial' })
  t.equal(res.status, 200)
  t.same(res.json.errors.map((e: any) => [e.line, e.column, e.code]), [[2, 'voter_id', 'invalid_voter_id'], [5, 'voter_id', 'invalid_voter_id']])
  t.match(res.json.errors[0].message, /UP\/12\/123\/456789/)
  t.ok(await personByVoterId(app, 'PQR7654321'), 'the current format is imported')
  t.ok(await personByVoterId(app, 'UP/72/145/0012345'), 'and the older one')
})

t.test('a key that sees personal data masked may not search by it', async (t) => {
  const person = await createPerson(app, { name: 'Searched For', homeBoothId: tree.booth.id, phone: '+91 98123 45678', voterId: 'SRC1234567' })
  const masked = await mintKey(app, 'reader', null, { maskPersonalData: true })
  const reader = await mintKey(app, 'reader')

  const attempts = [
    { method: 'POST', url: '/v1/people/search', payload: { voterId: 'SRC1234567' } },
    { method: 'POST', url: '/v1/people/search', payload: { phone: '9812345678' } },
    { method: 'POST', url: '/v1/people/search', payload: { phone: '9812345678', voterId: 'SRC1234567' } },
    { method: 'GET', url: '/v1/people?phone=9812345678' },
    { method: 'GET', url: '/v1/people?voterId=SRC1234567' },
    { method: 'GET', url: `/v1/people?voterId=SRC1234567&unitId=${tree.district.id}` },
    { method: 'GET', url: '/v1/people?phone=9812345678&unitId=00000000-0000-4000-8000-000000000000' } // an unknown unit answers nothing, but not before the refusal
  ] as const
  for (const attempt of attempts) {
    const refused = await call(app, attempt as any, masked)
    t.equal(refused.status, 403, `${attempt.method} ${attempt.url} ${JSON.stringify((attempt as any).payload ?? '')}`)
    t.equal(refused.json.code, 'masked_key_cannot_search')
    t.match(refused.json.detail, /masked/)
    t.notOk(refused.body.includes(person.id), 'nothing about the person in the refusal')
  }
  // A wrong guess is refused the same way as a right one: the answer reveals nothing.
  const wrong = await call(app, { method: 'POST', url: '/v1/people/search', payload: { voterId: 'SRC0000000' } }, masked)
  t.equal(wrong.status, 403)

  const byName = await call(app, { method: 'GET', url: `/v1/people?q=Searched&unitId=${tree.district.id}` }, masked)
  t.equal(byName.status, 200, 'a masked key still lists people by name')
  t.same(byName.json.items.map((p: any) => [p.id, p.phone, p.voterId]), [[person.id, '+91******5678', '******4567']])

  for (const payload of [{ voterId: 'src1234567' }, { phone: '+91 98123 45678' }]) {
    const found = await call(app, { method: 'POST', url: '/v1/people/search', payload }, reader)
    t.equal(found.status, 200, 'an unmasked reader searches')
    t.same(found.json.items.map((p: any) => p.id), [person.id])
  }
  const filtered = await call(app, { method: 'GET', url: `/v1/people?phone=09812345678&voterId=SRC1234567&unitId=${tree.district.id}` }, reader)
  t.same(filtered.json.items.map((p: any) => [p.id, p.phone, p.voterId]), [[person.id, '+919812345678', 'SRC1234567']])
})

t.test('a global key lists everyone with no filter at all, as pages and as CSV', async (t) => {
  const one = await createPerson(app, { name: 'Unfiltered One', homeBoothId: tree.booth.id })
  const page = await call(app, { method: 'GET', url: '/v1/people' })
  t.equal(page.status, 200)
  const ids: string[] = []
  for (let url: string | null = '/v1/people?limit=2'; url;) {
    const res = await call(app, { method: 'GET', url })
    t.equal(res.status, 200)
    ids.push(...res.json.items.map((p: { id: string }) => p.id))
    url = res.json.nextCursor ? `/v1/people?limit=2&cursor=${res.json.nextCursor}` : null
  }
  t.ok(ids.includes(one.id), 'paged through, the newcomer is there')
  t.equal(new Set(ids).size, ids.length, 'each person once')
  const download = await call(app, { method: 'GET', url: '/v1/people?format=csv' })
  t.equal(download.status, 200)
  t.equal(download.body.trim().split('\n').length - 1, ids.length, 'the CSV has a row per person the pages have')
})

t.test('a scoped key lists exactly its own subtree\'s people, its own booth\'s included', async (t) => {
  const other = await createChain(app, 'PPO')
  const mine = await createPerson(app, { name: 'Scope Mine', homeBoothId: tree.booth.id })
  const theirs = await createPerson(app, { name: 'Scope Theirs', homeBoothId: other.booth.id })
  // A sibling whose code path shares the booth's as a prefix (AC072-PS0145 and AC072-PS01450).
  const sibling = await call(app, { method: 'POST', url: '/v1/units', payload: { level: 'booth', parentId: tree.ward.id, code: 'AC072-PS01450', name: 'Booth 1450', acNumber: 72, psNumber: '1450' } })
  t.equal(sibling.status, 201)
  const next = await createPerson(app, { name: 'Scope Next Door', homeBoothId: sibling.json.id })
  for (const [label, unit] of [['booth', tree.booth], ['ward', tree.ward], ['district', tree.district]] as const) {
    const key = await mintKey(app, 'reader', unit.id)
    const ids: string[] = []
    for (let url: string | null = '/v1/people?limit=1'; url;) {
      const res = await call(app, { method: 'GET', url }, key)
      t.equal(res.status, 200)
      ids.push(...res.json.items.map((p: { id: string }) => p.id))
      url = res.json.nextCursor ? `/v1/people?limit=1&cursor=${res.json.nextCursor}` : null
    }
    t.ok(ids.includes(mine.id), `${label} key: its own person`)
    t.notOk(ids.includes(theirs.id), `${label} key: not another state's`)
    t.equal(ids.includes(next.id), label !== 'booth', `${label} key: the booth next door ${label === 'booth' ? 'is not' : 'is'} its own`)
    const csv = await call(app, { method: 'GET', url: '/v1/people?format=csv' }, key)
    t.equal(csv.body.trim().split('\n').length - 1, ids.length, `${label} key: the CSV has the same people`)
  }
})
