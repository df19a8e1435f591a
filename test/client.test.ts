import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { createSangathanClient, type components } from '../clients/typescript/index.js'
import { CLIENT_TYPES, clientTypes } from '../scripts/client.js'
import { ADMIN_KEY, buildTestApp } from './helpers/app.js'

type Unit = components['schemas']['Unit']

t.test('clients/typescript/schema.d.ts is generated from openapi/openapi.json', async (t) => {
  const committed = readFileSync(CLIENT_TYPES, 'utf8').split('\n')
  const generated = (await clientTypes()).split('\n')
  const first = committed.findIndex((line, i) => line !== generated[i])
  const stale = first !== -1 || committed.length !== generated.length
  t.notOk(stale, 'the client types are up to date: run `npm run client` and commit the result', {
    line: first + 1, committed: committed[first], generated: generated[first]
  })
})

t.test('the typed client drives the real service over HTTP', async (t) => {
  const { app } = await buildTestApp(t)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const api = createSangathanClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: ADMIN_KEY })

  // A small tree, each unit under the one before.
  const create = async (body: components['schemas']['CreateUnitInput']): Promise<Unit> => {
    const { data, error, response } = await api.POST('/v1/units', { body })
    if (!data) throw new Error(`createUnit ${response.status}: ${JSON.stringify(error)}`)
    t.equal(response.status, 201)
    t.equal(response.headers.get('location'), `/v1/units/${data.id}`)
    return data
  }
  const state = await create({ level: 'state', code: 'CL', name: 'Client State' })
  const district = await create({ level: 'district', parentId: state.id, code: 'LKO', name: 'Lucknow' })
  const block = await create({ level: 'block', parentId: district.id, code: 'B03', name: 'Lucknow Nagar' })
  const ward = await create({ level: 'ward', parentId: block.id, code: 'W12', name: 'Ward 12' })
  const booth = await create({ level: 'booth', parentId: ward.id, code: 'AC072-PS0145', name: 'Primary School, Aliganj', acNumber: 72, psNumber: '145' })
  t.equal(booth.codePath, 'CL/LKO/B03/W12/AC072-PS0145')

  const read = await api.GET('/v1/units/{id}', { params: { path: { id: booth.id } } })
  t.equal(read.data?.level, 'booth')
  t.equal(read.data?.acNumber, 72)
  const etag = read.response.headers.get('etag')
  t.match(etag, /^"v\d+"$/, 'the ETag the document declares')
  t.ok(read.response.headers.get('x-request-id'))

  // If-Match: a stale version is a typed problem.
  const stale = await api.PATCH('/v1/units/{id}', {
    params: { path: { id: booth.id }, header: { 'If-Match': '"v0"' } },
    body: { name: 'Renamed' }
  })
  t.equal(stale.response.status, 412)
  t.equal(stale.error?.code, 'etag_mismatch')
  const renamed = await api.PATCH('/v1/units/{id}', {
    params: { path: { id: booth.id }, header: { 'If-Match': etag! } },
    body: { name: 'Primary School, Aliganj (main)' }
  })
  t.equal(renamed.data?.name, 'Primary School, Aliganj (main)')

  // A person at home in the booth, enrolled as an active member there, appointed president.
  const person = await api.POST('/v1/people', { body: { name: 'Asha Devi', homeBoothId: booth.id, phone: '+91 98765 43210', voterId: 'abc1234567', twitter: '@asha' } })
  t.equal(person.response.status, 201)
  t.equal(person.data?.voterId, 'ABC1234567')
  t.equal(person.data?.phone, '+919876543210')
  const personId = person.data!.id

  const refused = await api.POST('/v1/appointments', { body: { personId, unitId: booth.id, role: 'president' } })
  t.equal(refused.response.status, 409)
  t.equal(refused.error?.code, 'not_active_member_at_home', 'the own-booth rule, as a typed problem')

  const membership = await api.POST('/v1/memberships', { body: { personId, boothId: booth.id, grade: 'active' } })
  t.equal(membership.data?.grade, 'active')
  t.equal(membership.data?.status, 'current')

  const appoint = { body: { personId, unitId: booth.id, role: 'president' }, params: { header: { 'Idempotency-Key': 'client-test-appoint-1' } } }
  const appointed = await api.POST('/v1/appointments', appoint)
  t.equal(appointed.response.status, 201)
  t.equal(appointed.data?.role, 'president')
  t.equal(appointed.data?.endDate, null, 'a current term has no end date')
  const replayed = await api.POST('/v1/appointments', appoint)
  t.equal(replayed.response.headers.get('idempotent-replayed'), 'true', 'the same Idempotency-Key replays the first answer')
  t.equal(replayed.data?.id, appointed.data?.id)

  const page = await api.GET('/v1/people/{id}', { params: { path: { id: personId } } })
  t.equal(page.data?.membership?.grade, 'active')
  t.same(page.data?.offices.map(o => o.role), ['president'])

  // Coverage: the district's one booth has its president.
  const coverage = await api.GET('/v1/units/{id}/coverage', { params: { path: { id: district.id } } })
  t.match(coverage.data?.unit, { totalBooths: 1, coveredBooths: 1, coverage: 1, activeMembers: 1, officeBearers: 1, officeBearersWithHandle: 1 })
  // The report's `by` says which rows it holds: units here (constituencies with by=assembly).
  t.same(coverage.data?.by === 'unit' && coverage.data.children.map(c => c.code), ['B03'])

  // An import with a CSV body: a second booth, then its president.
  const csvBody = { bodySerializer: (body: string) => body, headers: { 'content-type': 'text/csv' } }
  const units = await api.POST('/v1/imports/units', {
    ...csvBody,
    body: 'state,district,block,ward,booth,booth_name,ac_number,ps_number\nCL,LKO,B03,W12,AC072-PS0146,Booth 146,72,146\n'
  })
  t.equal(units.response.status, 200)
  t.equal(units.data?.status, 'succeeded')
  t.same(units.data?.counts, { rows: 1, created: 1, updated: 0, unchanged: 0, failed: 0 })
  t.equal(units.response.headers.get('location'), `/v1/imports/${units.data?.id}`)

  const presidents = await api.POST('/v1/imports/booth-presidents', {
    ...csvBody,
    params: { query: { mode: 'partial' } },
    body: 'booth,name,phone,voter_id\nCL/LKO/B03/W12/AC072-PS0146,Ravi Kumar,09876543211,XYZ7654321\nCL/LKO/B03/W12/NOWHERE,Nobody,,ZZZ1111111\n'
  })
  t.equal(presidents.response.status, 200)
  t.equal(presidents.data?.status, 'partial')
  t.match(presidents.data?.counts, { rows: 2, failed: 1 })
  t.match(presidents.data?.errors, [{ line: 3, code: 'booth_not_found' }], 'the failed row, by line and reason')

  const record = await api.GET('/v1/imports/{id}', { params: { path: { id: presidents.data!.id } } })
  t.equal(record.data?.kind, 'booth_presidents')

  const after = await api.GET('/v1/units/{id}/coverage', { params: { path: { id: district.id } } })
  t.match(after.data?.unit, { totalBooths: 2, coveredBooths: 2, coverage: 1 })

  // A route that can answer CSV: JSON by default, the CSV when asked.
  const gaps = await api.GET('/v1/units/{id}/gaps', { params: { path: { id: district.id }, query: { role: 'bla' } } })
  t.same(gaps.data?.items.map(g => g.code), ['AC072-PS0145', 'AC072-PS0146'], 'neither booth has a booth level agent')
  const download = await api.GET('/v1/units/{id}/gaps', { params: { path: { id: district.id }, query: { role: 'bla', format: 'csv' } }, parseAs: 'text' })
  t.match(download.response.headers.get('content-type'), /^text\/csv/)
  // Response.text() decodes UTF-8 and drops the byte-order mark that Excel needs
  t.match(download.data, /^code_path,state,district,block,ward,booth,/)
  t.equal(download.data?.trim().split('\n').length, 3, 'a header row and the two booths')

  // Errors are typed problems too.
  const missing = await api.GET('/v1/units/{id}', { params: { path: { id: '6a0b2a44-2b51-4c77-9d7b-2a8f3b1f0c11' } } })
  t.equal(missing.response.status, 404)
  t.equal(missing.error?.code, 'unit_not_found')
})
