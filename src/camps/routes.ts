import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Actor } from '../access/actor.js'
import { notFound } from '../errors.js'
import { jsonOrCsv, mapRows, phoneCell, sendCsvBatches, sendCsvRows, wantsCsv, type CsvColumn } from '../http/csv.js'
import { ifMatch, setEtag } from '../http/etag.js'
import { text } from '../http/fields.js'
import { withHeaders } from '../http/openapi.js'
import { decodeCursor, toPage } from '../http/pagination.js'
import { problemResponses } from '../http/problem.js'
import { listInBatches } from '../db/cursor.js'
import { maskPhone } from '../people/identity.js'
import { findUnit } from '../units/queries.js'
import { checkIn, createCamp, createTopic, deleteCamp, invite, updateCamp, updateInvitation } from './changes.js'
import { campInScope, campReport, findInvitation, invitationsList, listCamps, listInvitations, listTopics, toCamp, toInvitation, toTopic, type InvitationRow } from './queries.js'
import { allTraining, allUntrained, toTrainingRow, toUntrained, trainingReport, untrainedKey, untrainedReport, type TrainingSqlRow, type UntrainedCsvSqlRow, type UntrainedSqlRow } from './training.js'
import {
  CampIdParams, CampPage, CampReport, CampSchema, CheckInBody, CheckInResult, CreateCampBody, CreateTopicBody, InvitationPage, InvitationParams, InvitationSchema,
  InviteBody, InviteResult, ListCampsQuery, ListInvitationsQuery, TopicList, TopicSchema, TrainingQuery, TrainingReport, UntrainedPage, UntrainedQuery, UpdateCampBody,
  UpdateInvitationBody
} from './schemas.js'

const tags = ['training']
const CampCursor = z.tuple([z.iso.date(), z.uuid()])
const InvitationCursor = z.tuple([z.string().max(300), z.uuid()])

const INVITATION_CSV = (mask: (p: string | null) => string | null): ReadonlyArray<CsvColumn<InvitationRow>> => [
  ['name', r => r.name],
  ['phone', r => phoneCell(mask(r.phone))],
  ['home_booth', r => r.home_booth_code_path],
  ['status', r => r.status],
  ['source', r => r.source],
  ['level', r => r.qualified_by[0]?.level ?? null],
  ['wing', r => r.qualified_by[0]?.wing ?? null],
  ['role', r => r.qualified_by[0]?.role ?? null],
  ['days', r => r.days.join(' ')],
  ['person_id', r => r.person_id],
  ['invitation_id', r => r.id]
]

const TRAINING_CSV: ReadonlyArray<CsvColumn<ReturnType<typeof toTrainingRow>>> = [
  ['code_path', r => r.codePath],
  ['name', r => r.name],
  ['level', r => r.level],
  ['office_bearers', r => r.officeBearers],
  ['trained', r => r.trained],
  ['share', r => r.share],
  ['camps_held', r => r.campsHeld],
  ['invitations', r => r.invitations],
  ['invitations_attended', r => r.invitationsAttended],
  ['attendance_rate', r => r.attendanceRate],
  ['unit_id', r => r.unitId]
]

/** The untrained CSV, over the download's rows (posts already the cell): the phone masked for a key that sees it masked. */
const UNTRAINED_CSV = (actor: Actor): ReadonlyArray<CsvColumn<UntrainedCsvSqlRow>> => [
  ['name', r => r.name],
  ['phone', actor.maskPersonalData ? r => phoneCell(maskPhone(r.phone)) : r => phoneCell(r.phone)],
  ['home_booth', r => r.home_booth_code_path],
  ['posts', r => r.posts],
  ['last_trained', r => r.last_trained],
  ['person_id', r => r.person_id]
]

/** /v1/topics, /v1/camps and the training reports (src/camps). */
export const campRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/topics', {
    schema: { operationId: 'listTopics', tags, summary: 'The training topics catalogue', response: { 200: TopicList } }
  }, async () => ({ items: (await listTopics(app.db)).map(toTopic), nextCursor: null }))

  app.post('/topics', {
    config: { permission: 'manage_catalogue' },
    schema: { operationId: 'createTopic', tags, summary: 'Add a training topic (global admins)', body: CreateTopicBody, response: { 201: TopicSchema, ...problemResponses(400, 409) } }
  }, async (request, reply) => reply.code(201).send(toTopic(await createTopic(app.db, request.actor, request.body))))

  app.post('/camps', {
    schema: {
      operationId: 'createCamp',
      tags,
      summary: 'Schedule a training camp organised by a unit in your scope, with its topics, trainers and audience rule',
      body: CreateCampBody,
      response: { 201: withHeaders(CampSchema, 'ETag'), ...problemResponses(400, 403, 409, 422) }
    }
  }, async (request, reply) => {
    const row = await createCamp(app.db, request.actor, request.body)
    setEtag(reply, row.version)
    reply.header('location', `/v1/camps/${row.id}`)
    return reply.code(201).send(toCamp(row))
  })

  app.get('/camps', {
    schema: {
      operationId: 'listCamps',
      tags,
      summary: 'Camps organised in your scope, and camps above it that invited your people, by start date',
      querystring: ListCampsQuery,
      response: { 200: CampPage, ...problemResponses(400) }
    }
  }, async (request) => {
    const { unitId, from, to, topic, status, limit, cursor } = request.query
    const unit = unitId === undefined ? undefined : await findUnit(request.readDb, request.actor, unitId)
    if (unitId !== undefined && !unit) return { items: [], nextCursor: null }
    const found = await listCamps(request.readDb, request.actor, { under: unit?.codePath, from, to, topic, status, after: decodeCursor(cursor, CampCursor), limit })
    return toPage(found, limit, toCamp, r => [r.start_date, r.id])
  })

  app.get('/camps/:id', {
    schema: { operationId: 'getCamp', tags, summary: 'One camp', params: CampIdParams, response: { 200: withHeaders(CampSchema, 'ETag'), ...problemResponses(400, 404) } }
  }, async (request, reply) => {
    const row = await campInScope(app.db, request.actor, request.params.id)
    setEtag(reply, row.version)
    return toCamp(row)
  })

  app.patch('/camps/:id', {
    schema: {
      operationId: 'updateCamp',
      tags,
      summary: 'Change a camp: details, dates, status (planned, held, cancelled), topics, trainers, audience (If-Match honoured)',
      params: CampIdParams,
      body: UpdateCampBody,
      response: { 200: withHeaders(CampSchema, 'ETag'), ...problemResponses(400, 403, 404, 409, 412, 422) }
    }
  }, async (request, reply) => {
    const row = await updateCamp(app.db, request.actor, request.params.id, request.body, ifMatch(request))
    setEtag(reply, row.version)
    return toCamp(row)
  })

  app.delete('/camps/:id', {
    schema: {
      operationId: 'deleteCamp',
      tags,
      summary: 'Delete a camp that was not held and has no attendance, with its invitations (If-Match honoured)',
      params: CampIdParams,
      response: { 204: z.undefined(), ...problemResponses(400, 403, 404, 409, 412) }
    }
  }, async (request, reply) => {
    await deleteCamp(app.db, request.actor, request.params.id, ifMatch(request))
    return reply.code(204).send()
  })

  app.post('/camps/:id/invitations', {
    schema: {
      operationId: 'inviteToCamp',
      tags,
      summary: 'Invite the camp\'s audience from its rule (set-based; re-running adds newcomers only), or people one by one',
      params: CampIdParams,
      body: InviteBody,
      response: { 200: InviteResult, ...problemResponses(400, 403, 404, 409, 422) }
    }
  }, async (request) => invite(app.db, request.actor, request.params.id, request.body.personIds))

  app.get('/camps/:id/invitations', {
    schema: {
      operationId: 'listCampInvitations',
      tags,
      summary: 'A camp\'s invitations (your people\'s, for a camp above your scope), by home booth; JSON pages or CSV',
      params: CampIdParams,
      querystring: ListInvitationsQuery,
      response: { 200: jsonOrCsv(InvitationPage), ...problemResponses(400, 404) }
    }
  }, async (request, reply) => {
    const camp = await campInScope(request.readDb, request.actor, request.params.id)
    const { status, source, limit, cursor, format } = request.query
    if (wantsCsv(request, format)) {
      const batches = listInBatches(request.readDb, invitationsList(request.actor, camp, { status, source }), 2000)
      const mask = (p: string | null) => request.actor.maskPersonalData ? maskPhone(p) : p
      return sendCsvBatches(reply, `camp-${camp.id}-invitations.csv`, INVITATION_CSV(mask), batches)
    }
    const found = await listInvitations(request.readDb, request.actor, camp, { status, source, after: decodeCursor(cursor, InvitationCursor), limit })
    return toPage(found, limit, r => toInvitation(r, request.actor), r => [r.home_booth_code_path, r.id])
  })

  app.get('/camps/:id/invitations/:invitationId', {
    schema: { operationId: 'getCampInvitation', tags, summary: 'One invitation', params: InvitationParams, response: { 200: withHeaders(InvitationSchema, 'ETag'), ...problemResponses(400, 404) } }
  }, async (request, reply) => {
    const camp = await campInScope(app.db, request.actor, request.params.id)
    const row = await findInvitation(app.db, request.actor, camp, { id: request.params.invitationId })
    if (!row) throw notFound('invitation')
    setEtag(reply, row.version)
    return toInvitation(row, request.actor)
  })

  app.patch('/camps/:id/invitations/:invitationId', {
    schema: {
      operationId: 'updateCampInvitation',
      tags,
      summary: 'Record a reply or an outcome: confirmed (within capacity), declined, no_show, cancelled (If-Match honoured)',
      params: InvitationParams,
      body: UpdateInvitationBody,
      response: { 200: withHeaders(InvitationSchema, 'ETag'), ...problemResponses(400, 403, 404, 409, 412) }
    }
  }, async (request, reply) => {
    const row = await updateInvitation(app.db, request.actor, request.params.id, request.params.invitationId, request.body.status, ifMatch(request))
    setEtag(reply, row.version)
    return toInvitation(row, request.actor)
  })

  app.post('/camps/:id/check-ins', {
    schema: {
      operationId: 'checkInToCamp',
      tags,
      summary: 'Record a day of attendance by person id, voter ID or phone (in the body, never the URL); walk-ins too, and new workers as new people',
      params: CampIdParams,
      body: CheckInBody,
      response: { 201: CheckInResult, 200: CheckInResult, ...problemResponses(400, 403, 404, 409, 422) }
    }
  }, async (request, reply) => {
    const done = await checkIn(app.db, request.actor, request.params.id, request.body)
    return reply.code(done.recorded ? 201 : 200).send({ ...toInvitation(done.invitation, request.actor), recorded: done.recorded, walkIn: done.walkIn })
  })

  app.get('/camps/:id/report', {
    schema: {
      operationId: 'campReport',
      tags,
      summary: 'A camp\'s invited and attended by level, wing and role of their first qualifying post, and attendance by day',
      params: CampIdParams,
      response: { 200: CampReport, ...problemResponses(400, 404) }
    }
  }, async (request) => {
    const camp = await campInScope(request.readDb, request.actor, request.params.id)
    const { groups, days } = await campReport(request.readDb, request.actor, camp)
    const items = groups.map(g => ({ level: g.level, wing: g.wing, role: g.role, invited: g.invited, confirmed: g.confirmed, declined: g.declined, attended: g.attended, walkIns: g.walk_ins }))
    const sum = (k: 'invited' | 'confirmed' | 'declined' | 'attended' | 'walkIns') => items.reduce((n, g) => n + g[k], 0)
    return {
      campId: camp.id,
      totals: { invited: sum('invited'), confirmed: sum('confirmed'), declined: sum('declined'), attended: sum('attended'), walkIns: sum('walkIns') },
      byDay: days,
      items,
      nextCursor: null
    }
  })

  app.get('/units/:id/training', {
    schema: {
      operationId: 'unitTraining',
      tags,
      summary: 'Training coverage of the unit and each child (or descendant at a level): office-bearers at home there, those trained, camps held, attendance rate; JSON or CSV',
      params: CampIdParams,
      querystring: TrainingQuery,
      response: { 200: jsonOrCsv(TrainingReport), ...problemResponses(400, 404, 422) }
    }
  }, async (request, reply) => {
    const { level, wing, role, committee, topic, days, limit, cursor, format } = request.query
    const p = { wing, role, committee, topic, days }
    if (wantsCsv(request, format)) {
      const { unit, rows } = await allTraining(request.readDb, request.actor, request.params.id, { ...p, level })
      return sendCsvRows(reply, `training-${unit.codePath}.csv`, TRAINING_CSV, mapRows(rows, toTrainingRow))
    }
    const found = await trainingReport(request.readDb, request.actor, request.params.id, { ...p, level, after: decodeCursor(cursor, text(300)), limit })
    const page = toPage<TrainingSqlRow, ReturnType<typeof toTrainingRow>>(found.children, limit, toTrainingRow, r => r.code_path)
    return {
      wing: wing ?? null,
      role: role ?? null,
      topic: topic ?? null,
      days: days ?? null,
      committee,
      unit: toTrainingRow(found.self),
      children: page.items,
      nextCursor: page.nextCursor
    }
  })

  app.get('/units/:id/untrained', {
    schema: {
      operationId: 'unitUntrained',
      tags,
      summary: 'Office-bearers at home under the unit who have not attended a camp (on a topic, within N days), by home booth; JSON pages or CSV',
      params: CampIdParams,
      querystring: UntrainedQuery,
      response: { 200: jsonOrCsv(UntrainedPage), ...problemResponses(400, 404, 422) }
    }
  }, async (request, reply) => {
    const { wing, role, committee, topic, days, limit, cursor, format } = request.query
    const p = { wing, role, committee, topic, days }
    if (wantsCsv(request, format)) {
      const { unit, batches } = await allUntrained(request.readDb, request.actor, request.params.id, p)
      return sendCsvBatches(reply, `untrained-${unit.codePath}.csv`, UNTRAINED_CSV(request.actor), batches)
    }
    const found = await untrainedReport(request.readDb, request.actor, request.params.id, { ...p, after: decodeCursor(cursor, InvitationCursor), limit })
    return toPage<UntrainedSqlRow, ReturnType<typeof toUntrained>>(found.rows, limit, r => toUntrained(r, request.actor), untrainedKey)
  })
}
