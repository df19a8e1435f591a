import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { notFound } from '../errors.js'
import { ifMatch, setEtag } from '../http/etag.js'
import { withHeaders } from '../http/openapi.js'
import { problemResponses } from '../http/problem.js'
import { createWing, deleteWing, findWing, listWings, toWing, updateWing } from './catalogue.js'
import { CreateWingBody, UpdateWingBody, WingCode, WingList, WingSchema } from './schemas.js'

const tags = ['wings']
const CodeParams = z.object({ code: WingCode })

/** /v1/wings: the main body and the frontal organisations (src/wings/catalogue.ts). */
export const wingRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/wings', {
    schema: { operationId: 'listWings', tags, summary: 'The wings: the main body and the frontal organisations', response: { 200: WingList } }
  }, async () => ({ items: (await listWings(app.db)).map(toWing), nextCursor: null }))

  app.get('/wings/:code', {
    schema: { operationId: 'getWing', tags, summary: 'One wing', params: CodeParams, response: { 200: withHeaders(WingSchema, 'ETag'), ...problemResponses(400, 404) } }
  }, async (request, reply) => {
    const wing = await findWing(app.db, request.params.code)
    if (!wing) throw notFound('wing')
    setEtag(reply, wing.version)
    return toWing(wing)
  })

  app.post('/wings', {
    config: { permission: 'manage_catalogue' },
    schema: { operationId: 'createWing', tags, summary: 'Add a wing (global admins); give it roles with POST /v1/roles', body: CreateWingBody, response: { 201: withHeaders(WingSchema, 'ETag', 'Location'), ...problemResponses(400, 409) } }
  }, async (request, reply) => {
    const wing = await createWing(app.db, request.actor, request.body)
    setEtag(reply, wing.version)
    reply.header('location', `/v1/wings/${wing.code}`)
    return reply.code(201).send(toWing(wing))
  })

  app.patch('/wings/:code', {
    config: { permission: 'manage_catalogue' },
    schema: { operationId: 'updateWing', tags, summary: 'Rename a wing (global admins)', params: CodeParams, body: UpdateWingBody, response: { 200: withHeaders(WingSchema, 'ETag'), ...problemResponses(400, 404, 412) } }
  }, async (request, reply) => {
    const wing = await updateWing(app.db, request.actor, request.params.code, request.body, ifMatch(request))
    setEtag(reply, wing.version)
    return toWing(wing)
  })

  app.delete('/wings/:code', {
    config: { permission: 'manage_catalogue' },
    schema: { operationId: 'deleteWing', tags, summary: 'Remove a wing that has no roles (global admins)', params: CodeParams, response: { 204: z.undefined(), ...problemResponses(400, 404, 409, 412) } }
  }, async (request, reply) => {
    await deleteWing(app.db, request.actor, request.params.code, ifMatch(request))
    return reply.code(204).send()
  })
}
