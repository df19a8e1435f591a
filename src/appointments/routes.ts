import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { listInBatches } from '../db/cursor.js'
import { notFound } from '../errors.js'
import { jsonOrCsv, sendCsvBatches, wantsCsv } from '../http/csv.js'
import { ifMatch, setEtag } from '../http/etag.js'
import { decodeCursor, pageOf, toPage } from '../http/pagination.js'
import { withHeaders } from '../http/openapi.js'
import { problemResponses } from '../http/problem.js'
import { findUnit } from '../units/queries.js'
import { appoint, endAppointment } from './changes.js'
import {
  findAppointment, listAppointments, listOfficeBearers, officeBearerCsv, officeBearerKey, OfficeBearerCursor, officeBearersList, toAppointment, toOfficeBearer
} from './queries.js'
import {
  AppointmentPage, AppointmentSchema, CreateAppointmentBody, EndAppointmentBody, ListAppointmentsQuery,
  OfficeBearerSchema, OfficeBearersQuery
} from './schemas.js'

const tags = ['appointments']
const IdParams = z.object({ id: z.uuid() })

/** /v1/appointments (terms of office) and the office-bearers of a unit. */
export const appointmentRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/appointments', {
    schema: {
      operationId: 'createAppointment',
      tags,
      summary: 'Appoint a person to a post at a unit (they must be an active member at their home booth)',
      body: CreateAppointmentBody,
      response: { 201: withHeaders(AppointmentSchema, 'ETag'), ...problemResponses(400, 409, 422) }
    }
  }, async (request, reply) => {
    const row = await appoint(app.db, request.actor, request.body)
    setEtag(reply, row.version)
    reply.header('location', `/v1/appointments/${row.id}`)
    return reply.code(201).send(toAppointment(row))
  })

  app.get('/appointments', {
    schema: { operationId: 'listAppointments', tags, summary: 'Terms of office, newest first: by person, unit, role, current or on a date', querystring: ListAppointmentsQuery, response: { 200: AppointmentPage, ...problemResponses(400) } }
  }, async (request) => {
    const { limit, cursor, ...filter } = request.query
    const rows = await listAppointments(request.readDb, request.actor, { ...filter, after: decodeCursor(cursor, z.tuple([z.iso.date(), z.uuid()])), limit })
    return toPage(rows, limit, toAppointment, r => [r.startDate, r.id])
  })

  app.get('/appointments/:id', {
    schema: { operationId: 'getAppointment', tags, summary: 'One term of office', params: IdParams, response: { 200: withHeaders(AppointmentSchema, 'ETag'), ...problemResponses(400, 404) } }
  }, async (request, reply) => {
    const row = await findAppointment(app.db, request.actor, request.params.id)
    if (!row) throw notFound('appointment')
    setEtag(reply, row.version)
    return toAppointment(row)
  })

  app.patch('/appointments/:id', {
    schema: { operationId: 'endAppointment', tags, summary: 'End a term: endDate (first day out of office) and endReason', params: IdParams, body: EndAppointmentBody, response: { 200: withHeaders(AppointmentSchema, 'ETag'), ...problemResponses(400, 404, 409, 412, 422) } }
  }, async (request, reply) => {
    const row = await endAppointment(app.db, request.actor, request.params.id, request.body, ifMatch(request))
    setEtag(reply, row.version)
    return toAppointment(row)
  })

  app.get('/units/:id/office-bearers', {
    schema: {
      operationId: 'unitOfficeBearers',
      tags: ['units', 'appointments'],
      summary: 'Current office-bearers at a unit, or everywhere in its subtree; JSON pages or CSV',
      params: IdParams,
      querystring: OfficeBearersQuery,
      response: { 200: jsonOrCsv(pageOf(OfficeBearerSchema).meta({ id: 'OfficeBearerPage' })), ...problemResponses(400, 404) }
    }
  }, async (request, reply) => {
    const unit = await findUnit(request.readDb, request.actor, request.params.id)
    if (!unit) throw notFound('unit')
    const { subtree, wing, role, limit, cursor, format } = request.query
    const mask = request.actor.maskPersonalData
    if (wantsCsv(request, format)) {
      const batches = listInBatches(request.readDb, officeBearersList(request.actor, unit, { subtree, wing, role }), 2000)
      return sendCsvBatches(reply, `office-bearers-${unit.codePath}.csv`, officeBearerCsv(mask), batches)
    }
    const found = await listOfficeBearers(request.readDb, request.actor, unit, { subtree, wing, role, after: decodeCursor(cursor, OfficeBearerCursor), limit })
    return toPage(found, limit, r => toOfficeBearer(r, mask), officeBearerKey)
  })
}
