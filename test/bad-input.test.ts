import fc from 'fast-check'
import t from 'tap'
import { domainErrorFromDatabase } from '../src/db/constraints.js'
import { buildTestApp, call, mintKey } from './helpers/app.js'
import { activeMember, appoint } from './helpers/people.js'
import { createChain } from './helpers/tree.js'

/**
 * Bad input is a 4xx problem, never a 5xx: every reproduction of the review, through the
 * API. (test/fuzz.test.ts drives every operation with generated input besides.)
 */

const { app } = await buildTestApp(t, { RATE_LIMIT_MAX: '100000' })
const tree = await createChain(app, 'BAD')
const { person, membership } = await activeMember(app, tree.booth.id, 'Bad Input')
const term = await appoint(app, { personId: person.id, unitId: tree.booth.id, role: 'president' })
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

const refused = async (t: { equal: Function, match: Function }, what: string, opts: Parameters<typeof call>[1], status = 400, code?: string) => {
  const res = await call(app, opts)
  t.equal(res.status, status, `${what}: ${res.status} ${res.body.slice(0, 200)}`)
  t.match(res.headers['content-type'], /^application\/problem\+json/, `${what}: a problem`)
  if (code) t.equal(res.json.code, code, `${what}: ${code}`)
}

t.test('NUL and other control characters, in every kind of string', async (t) => {
  await refused(t, '?q=%00 on units', { method: 'GET', url: '/v1/units?q=%00' }, 400, 'validation_failed')
  await refused(t, '?q=%00 on people', { method: 'GET', url: '/v1/people?q=a%00b' }, 400, 'validation_failed')
  await refused(t, 'a unit name', { method: 'POST', url: '/v1/units', payload: { level: 'state', code: 'NULX', name: 'Nul\u0000State' } }, 400, 'validation_failed')
  await refused(t, 'a person name', { method: 'POST', url: '/v1/people', payload: { name: 'Ram\u0000', homeBoothId: tree.booth.id } }, 400, 'validation_failed')
  await refused(t, 'a handle', { method: 'PATCH', url: `/v1/people/${person.id}`, payload: { twitter: '@x\u0000' } }, 400, 'validation_failed')
  await refused(t, 'an escape sequence in a name', { method: 'PATCH', url: `/v1/units/${tree.ward.id}`, payload: { name: 'Ward \u001b[31m' } }, 400, 'validation_failed')
  await refused(t, 'a key label', { method: 'POST', url: '/v1/api-keys', payload: { role: 'reader', label: 'nul\u0000label' } }, 400, 'validation_failed')
  await refused(t, 'an end reason', { method: 'PATCH', url: `/v1/appointments/${term.id}`, payload: { endDate: '2025-01-01', endReason: 'a\u0000' } }, 400, 'validation_failed')
  await refused(t, 'a role name', { method: 'POST', url: '/v1/roles', payload: { code: 'nul_role', name: 'x\u0000', levels: ['ward'] } }, 400, 'validation_failed')
  await refused(t, 'an audit filter', { method: 'GET', url: '/v1/audit?entityId=%00' }, 400, 'validation_failed')
  await refused(t, 'a cursor carrying NUL', { method: 'GET', url: `/v1/units?cursor=${cursorOf('\u0000')}` }, 400, 'invalid_cursor')
  await refused(t, 'a cursor that is not base64url', { method: 'GET', url: '/v1/units?cursor=%00' }, 400, 'invalid_cursor')
})

t.test('dates out of any sane range', async (t) => {
  const other = await activeMember(app, tree.booth.id, 'Year Zero')
  await refused(t, 'joinedOn 0000-01-01', { method: 'POST', url: '/v1/memberships', payload: { personId: other.person.id, boothId: tree.booth.id, grade: 'active', joinedOn: '0000-01-01' } }, 400, 'validation_failed')
  await refused(t, 'lapsedOn 0000-01-01', { method: 'PATCH', url: `/v1/memberships/${membership.id}`, payload: { status: 'lapsed', lapsedOn: '0000-01-01' } }, 400, 'validation_failed')
  await refused(t, '?on=0000-01-01', { method: 'GET', url: '/v1/appointments?on=0000-01-01' }, 400, 'validation_failed')
  await refused(t, '?on=99999-01-01', { method: 'GET', url: '/v1/appointments?on=99999-01-01' }, 400, 'validation_failed')
  await refused(t, 'startDate 2101-01-01', { method: 'POST', url: '/v1/appointments', payload: { personId: other.person.id, unitId: tree.ward.id, role: 'treasurer', startDate: '2101-01-01' } }, 400, 'validation_failed')
  await refused(t, 'audit from year 0', { method: 'GET', url: '/v1/audit?from=0000-01-01T00:00:00Z' }, 400, 'validation_failed')
  await refused(t, 'a key expiring in year 0', { method: 'POST', url: '/v1/api-keys', payload: { role: 'reader', label: 'x', expiresAt: '0000-01-01' } }, 400, 'validation_failed')
  const fine = await call(app, { method: 'GET', url: '/v1/appointments?on=1900-01-01' })
  t.equal(fine.status, 200, 'the earliest date accepted is a date')
})

t.test('every cursor is validated', async (t) => {
  await refused(t, 'a malformed api-keys cursor', { method: 'GET', url: `/v1/api-keys?cursor=${cursorOf(['not a time', 'not a uuid'])}` }, 400, 'invalid_cursor')
  await refused(t, 'an api-keys cursor of the wrong shape', { method: 'GET', url: `/v1/api-keys?cursor=${cursorOf({ a: 1 })}` }, 400, 'invalid_cursor')
  await refused(t, 'an office-bearers cursor with NUL', { method: 'GET', url: `/v1/units/${tree.state.id}/office-bearers?subtree=true&cursor=${cursorOf(['\u0000', 'president', person.id])}` }, 400, 'invalid_cursor')
  await refused(t, 'a people cursor with NUL', { method: 'GET', url: `/v1/people?cursor=${cursorOf(['\u0000', person.id])}` }, 400, 'invalid_cursor')
  await refused(t, 'a gaps cursor with NUL', { method: 'GET', url: `/v1/units/${tree.state.id}/gaps?cursor=${cursorOf('a\u0000')}` }, 400, 'invalid_cursor')
})

t.test('a data exception PostgreSQL raises is a 400, as the last line of defence', async (t) => {
  for (const code of ['22007', '22008', '22021', '22P05', '2201X']) {
    const refusal = domainErrorFromDatabase({ code, message: 'from the database' })
    t.equal(refusal?.kind, 'invalid', `SQLSTATE ${code}`)
    t.equal(refusal?.code, 'invalid_value')
  }
})

t.test('fuzzing every operation of the OpenAPI document', async (t) => {
  /**
   * Every operation of the served OpenAPI document, driven with generated malformed ids,
   * query values and bodies (NUL and other control characters, year-0 and far-future dates,
   * huge numbers, broken cursors, wrong types): never a 5xx, and every 4xx a problem+json
   * with a code. Bounded (RUNS per operation) so CI stays within its time.
   */

  const RUNS = Number(process.env.FUZZ_RUNS ?? 12)
  const { app } = await buildTestApp(t, { RATE_LIMIT_MAX: '1000000', AUTH_FAILURES_MAX: '1000000' })
  const tree = await createChain(app, 'FZZ')
  const { person, membership } = await activeMember(app, tree.booth.id, 'Fuzz Person', { phone: '9876543210', voterId: 'FZZ1234567' })
  const term = await appoint(app, { personId: person.id, unitId: tree.booth.id, role: 'president' })
  const masked = await mintKey(app, 'reader', null, { maskPersonalData: true })
  const scoped = await mintKey(app, 'editor', tree.district.id)
  const realIds = [tree.state.id, tree.district.id, tree.booth.id, person.id, membership.id, term.id]

  const hostileString = fc.oneof(
    fc.constantFrom('\u0000', 'a\u0000b', '%00', '\u0007\u001b[31m', 'x'.repeat(5000), '', ' ', '../../etc/passwd', "'; DROP TABLE units; --",
      '0000-01-01', '9999-12-31', '2024-02-30', '-1', '1e309', 'NaN', '[]', '{}', 'null', 'true', '\uD800', '😀', 'उत्तर प्रदेश',
      'UP/12/123/456789', '+91 98765 43210', 'eyJub3QiOiJhIGN1cnNvciJ9', '\uFEFF', 'a'.repeat(201)),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ maxLength: 20 })
  )
  const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
    hostileString,
    fc.integer(), fc.double(), fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 0, 1e15),
    fc.boolean(), fc.constant(null),
    fc.array(hostileString, { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), hostileString, { maxKeys: 2 })
  )
  const hostileId = fc.oneof(fc.constantFrom(...realIds), fc.uuid(), hostileString)

  interface Operation { method: string, path: string, query: string[], body: string[], json: boolean }

  const doc = (await call(app, { method: 'GET', url: '/openapi.json' }, null)).json
  const operations: Operation[] = []
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
    if (!path.startsWith('/v1/')) continue
    for (const [method, op] of Object.entries(methods)) {
      const query = (op.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name as string)
      const content = op.requestBody?.content ?? {}
      const schema = content['application/json']?.schema
      const resolved = schema?.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema
      operations.push({ method: method.toUpperCase(), path, query, body: Object.keys(resolved?.properties ?? {}), json: Boolean(content['application/json']) })
    }
  }

  t.ok(operations.length >= 30, `${operations.length} operations under /v1 to drive`)

  for (const op of operations) {
    t.test(`${op.method} ${op.path}`, async (t) => {
      const failures: string[] = []
      await fc.assert(fc.asyncProperty(
        fc.array(hostileId, { minLength: 3, maxLength: 3 }),
        fc.dictionary(fc.constantFrom(...(op.query.length ? op.query : ['x'])), hostileValue.map(v => typeof v === 'string' ? v : JSON.stringify(v)), { maxKeys: 4 }),
        op.body.length ? fc.oneof(fc.dictionary(fc.constantFrom(...op.body), hostileValue, { maxKeys: 5 }), hostileValue) : hostileValue,
        fc.constantFrom<string | undefined>(undefined, masked, scoped),
        fc.option(hostileString.filter(s => /^[\x21-\x7e]{1,60}$/.test(s)), { nil: undefined }),
        async (ids, query, body, key, idempotencyKey) => {
          let i = 0
          const url = op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(String(ids[i++ % ids.length])))
          const qs = new URLSearchParams(query as Record<string, string>).toString()
          const headers: Record<string, string> = {}
          if (idempotencyKey) headers['idempotency-key'] = idempotencyKey
          const payload = op.method === 'GET' || op.method === 'DELETE' ? undefined : op.json ? body : String(body)
          if (payload !== undefined) headers['content-type'] = op.json ? 'application/json' : 'text/csv'
          const res = await call(app, { method: op.method as any, url: qs ? `${url}?${qs}` : url, headers, payload: payload as any }, key)
          const where = `${op.method} ${url.slice(0, 120)}?${qs.slice(0, 120)} ${JSON.stringify(payload)?.slice(0, 200)} -> ${res.status} ${res.body.slice(0, 300)}`
          if (res.status >= 500) failures.push(where)
          if (res.status >= 400 && res.status < 500 && !(String(res.headers['content-type']).startsWith('application/problem+json') && typeof res.json?.code === 'string')) {
            failures.push(`not a problem: ${where}`)
          }
          return failures.length === 0
        }
      ), { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261202) })
        .catch(() => { /* the failures are reported below, readably */ })
      t.same(failures.slice(0, 3), [], 'no 5xx, and every 4xx is a problem with a code')
    })
  }
})
