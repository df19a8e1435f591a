import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { notFound } from '../errors.js'
import { jsonOrCsv, wantsCsv } from '../http/csv.js'
import { ifMatch, setEtag } from '../http/etag.js'
import { sendPersonalDataCsv } from '../http/export.js'
import { decodeCursor, toPage } from '../http/pagination.js'
import { text } from '../http/fields.js'
import { withHeaders } from '../http/openapi.js'
import { problemResponses } from '../http/problem.js'
import { toMembership } from '../memberships/queries.js'
import { toAppointment } from '../appointments/queries.js'
import { findUnit } from '../units/queries.js'
import { createPerson, deletePerson, updatePerson } from './changes.js'
import { allPeople, listPeople, peopleArea, personCsv, personKey, personPage, refuseMaskedIdentitySearch, toPerson } from './queries.js'
import { CreatePersonBody, ListPeopleQuery, PersonDetailSchema, PersonPage, PersonSchema, SearchPeopleBody, UpdatePersonBody } from './schemas.js'

const tags = ['people']
const IdParams = z.object({ id: z.uuid() })
const Cursor = z.tuple([text(200), z.uuid()])
const EXPORTED = 'The CSV (format=csv or Accept: text/csv) is masked as the JSON is, and each download is recorded in the audit trail (action export, entity type people) with its filters, never a phone or voter ID.'
const MASKED_SEARCH = 'A key minted with maskPersonalData may not search or filter by phone or voter ID: 403 masked_key_cannot_search (trying the candidates a masked value leaves would reveal it).'

export const peopleRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/people', {
    schema: { operationId: 'createPerson', tags, summary: 'Add a person with their home booth', body: CreatePersonBody, response: { 201: withHeaders(PersonSchema, 'ETag'), ...problemResponses(400, 409, 422) } }
  }, async (request, reply) => {
    const row = await createPerson(app.db, request.actor, { ...request.body, homeBoothId: request.body.homeBoothId })
    setEtag(reply, row.version)
    reply.header('location', `/v1/people/${row.id}`)
    return reply.code(201).send(toPerson(row, request.actor))
  })

  app.get('/people', {
    schema: { operationId: 'listPeople', tags, summary: 'People, filtered and paginated by name; as CSV, every one the filters find (the download is audited)', description: `${MASKED_SEARCH} ${EXPORTED}`, querystring: ListPeopleQuery, response: { 200: jsonOrCsv(PersonPage), ...problemResponses(400) } }
  }, async (request, reply) => {
    const { homeBoothId, unitId, q, phone, voterId, limit, cursor, format } = request.query
    // Before the unit lookup: an unknown unit must not answer 200 where the key may not ask.
    refuseMaskedIdentitySearch(request.actor, { phone, voterId })
    const unit = unitId ? await peopleArea(request.readDb, request.actor, unitId) : undefined
    // A unit outside the key's scope (or unknown) finds nobody.
    const nobody = unitId !== undefined && !unit
    // A scoped key's list without a unit is its subtree: the scope's code-path range as
    // well, which the planner can estimate (the scope condition itself cannot be): a
    // district key's first page on india read 27,534 people in name order for 51 of its
    // own (342 ms) instead of its district's 15,545 (8 ms).
    const scope = !unitId && request.actor.scopeUnitId ? await peopleArea(request.readDb, request.actor, request.actor.scopeUnitId) : undefined
    const filter = { homeBoothId, under: unit?.codePath, within: scope?.codePath, few: (unit ?? scope)?.few ?? false, q, phone, voterId }
    if (wantsCsv(request, format)) {
      const booth = homeBoothId ? await findUnit(request.readDb, request.actor, homeBoothId) : undefined
      const batches = nobody ? [] : allPeople(request.readDb, request.actor, filter)
      return sendPersonalDataCsv(app.db, request, reply, {
        entityType: 'people',
        unitId: (booth ?? unit)?.id ?? request.actor.scopeUnitId,
        filter: { unitId, homeBoothId, q },
        personalFilter: { phone, voterId },
        format: 'csv',
        filename: `people-${(booth ?? unit)?.codePath ?? 'all'}.csv`,
        columns: personCsv(request.actor),
        batches
      })
    }
    if (nobody) return { items: [], nextCursor: null }
    const rows = await listPeople(request.readDb, request.actor, { ...filter, after: decodeCursor(cursor, Cursor), limit })
    return toPage(rows, limit, r => toPerson(r, request.actor), personKey)
  })

  app.post('/people/search', {
    config: { permission: 'read' },
    schema: { operationId: 'searchPeople', tags, summary: 'Find people by phone or voter ID without putting them in a URL', description: MASKED_SEARCH, body: SearchPeopleBody, response: { 200: PersonPage, ...problemResponses(400) } }
  }, async (request) => {
    const rows = await listPeople(app.db, request.actor, { ...request.body, limit: 500 })
    return toPage(rows, 500, r => toPerson(r, request.actor), personKey)
  })

  app.get('/people/:id', {
    schema: { operationId: 'getPerson', tags, summary: 'A person\'s page: home booth, membership and current offices in one call', params: IdParams, response: { 200: withHeaders(PersonDetailSchema, 'ETag'), ...problemResponses(400, 404) } }
  }, async (request, reply) => {
    const page = await personPage(app.db, request.actor, request.params.id)
    if (!page) throw notFound('person')
    setEtag(reply, page.person.version)
    return {
      ...toPerson(page.person, request.actor),
      homeBooth: page.homeBooth,
      membership: page.membership ? toMembership(page.membership) : null,
      offices: page.offices.map(toAppointment),
      officesByWing: page.officesByWing.map(g => ({ ...g, offices: g.offices.map(toAppointment) })),
      officesOutsideScope: page.officesOutsideScope
    }
  })

  app.patch('/people/:id', {
    schema: { operationId: 'updatePerson', tags, summary: 'Change a person; a new home booth with moveMembership moves their membership too', params: IdParams, body: UpdatePersonBody, response: { 200: withHeaders(PersonSchema, 'ETag'), ...problemResponses(400, 404, 409, 412, 422) } }
  }, async (request, reply) => {
    const row = await updatePerson(app.db, request.actor, request.params.id, request.body, ifMatch(request))
    setEtag(reply, row.version)
    return toPerson(row, request.actor)
  })

  app.delete('/people/:id', {
    schema: { operationId: 'deletePerson', tags, summary: 'Delete a person with no membership, office or history', params: IdParams, response: { 204: z.undefined(), ...problemResponses(400, 404, 409, 412) } }
  }, async (request, reply) => {
    await deletePerson(app.db, request.actor, request.params.id, ifMatch(request))
    return reply.code(204).send()
  })
}
