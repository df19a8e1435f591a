import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { notFound } from '../errors.js'
import { ifMatch, setEtag } from '../http/etag.js'
import { decodeCursor, toPage } from '../http/pagination.js'
import { withHeaders } from '../http/openapi.js'
import { problemResponses } from '../http/problem.js'
import { changeMembership, enrol } from './changes.js'
import { findMembership, listMemberships, toMembership } from './queries.js'
import { CreateMembershipBody, ListMembershipsQuery, MembershipPage, MembershipSchema, UpdateMembershipBody } from './schemas.js'

const tags = ['memberships']
const IdParams = z.object({ id: z.uuid() })

export const membershipRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/memberships', {
    schema: { operationId: 'createMembership', tags, summary: 'Enrol a person as a member at a booth', body: CreateMembershipBody, response: { 201: withHeaders(MembershipSchema, 'ETag'), ...problemResponses(400, 409, 422) } }
  }, async (request, reply) => {
    const row = await enrol(app.db, request.actor, request.body)
    setEtag(reply, row.version)
    reply.header('location', `/v1/memberships/${row.id}`)
    return reply.code(201).send(toMembership(row))
  })

  app.get('/memberships', {
    schema: { operationId: 'listMemberships', tags, summary: 'Memberships, current and lapsed', querystring: ListMembershipsQuery, response: { 200: MembershipPage, ...problemResponses(400) } }
  }, async (request) => {
    const { limit, cursor, ...filter } = request.query
    const rows = await listMemberships(request.readDb, request.actor, { ...filter, after: decodeCursor(cursor, z.uuid()), limit })
    return toPage(rows, limit, toMembership, r => r.id)
  })

  app.get('/memberships/:id', {
    schema: { operationId: 'getMembership', tags, summary: 'One membership', params: IdParams, response: { 200: withHeaders(MembershipSchema, 'ETag'), ...problemResponses(400, 404) } }
  }, async (request, reply) => {
    const row = await findMembership(app.db, request.actor, request.params.id)
    if (!row) throw notFound('membership')
    setEtag(reply, row.version)
    return toMembership(row)
  })

  app.patch('/memberships/:id', {
    schema: {
      operationId: 'updateMembership',
      tags,
      summary: 'Change grade, transfer to another booth, or lapse (optionally ending the person\'s terms of office in the same transaction)',
      params: IdParams,
      body: UpdateMembershipBody,
      response: { 200: withHeaders(MembershipSchema, 'ETag'), ...problemResponses(400, 404, 409, 412, 422) }
    }
  }, async (request, reply) => {
    const row = await changeMembership(app.db, request.actor, request.params.id, request.body, ifMatch(request))
    setEtag(reply, row.version)
    return toMembership(row)
  })
}
