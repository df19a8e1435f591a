import t from 'tap'
import { domainErrorFromDatabase } from '../src/db/constraints.js'
import { buildTestApp, call } from './helpers/app.js'
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
