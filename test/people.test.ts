import { sql } from 'drizzle-orm'
import t from 'tap'
import { rows } from '../src/db/client.js'
import { normaliseVoterId, VOTER_ID_PATTERN } from '../src/people/identity.js'
import { buildTestApp, call } from './helpers/app.js'
import { csv, personByVoterId, postImport } from './helpers/imports.js'
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
