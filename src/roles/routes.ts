import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { notFound } from '../errors.js'
import { problemResponses } from '../http/problem.js'
import { WingFilter, WingQuery } from '../wings/schemas.js'
import { CreateRoleBody, RoleCode, RoleList, RoleSchema, UpdateRoleBody } from './schemas.js'
import { createRole, deleteRole, findRole, listRoles, toRole, updateRole } from './catalogue.js'

const tags = ['roles']
const CodeParams = z.object({ code: RoleCode })
const OneWing = z.object({ wing: WingQuery })

export const roleRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/roles', {
    schema: { operationId: 'listRoles', tags, summary: 'The roles catalogue: a wing\'s posts (default the main body\'s), their levels and seats', querystring: z.object({ wing: WingFilter }), response: { 200: RoleList, ...problemResponses(400) } }
  }, async (request) => ({ items: (await listRoles(app.db, request.query.wing)).map(toRole), nextCursor: null }))

  app.get('/roles/:code', {
    schema: { operationId: 'getRole', tags, summary: 'One role of a wing (default the main body)', params: CodeParams, querystring: OneWing, response: { 200: RoleSchema, ...problemResponses(400, 404) } }
  }, async (request) => {
    const role = await findRole(app.db, request.query.wing, request.params.code)
    if (!role) throw notFound('role')
    return toRole(role)
  })

  app.post('/roles', {
    config: { permission: 'manage_catalogue' },
    schema: { operationId: 'createRole', tags, summary: 'Add a role (global admins)', body: CreateRoleBody, response: { 201: RoleSchema, ...problemResponses(400, 409) } }
  }, async (request, reply) => {
    const role = await createRole(app.db, request.actor, request.body)
    reply.header('location', role.wing === 'main' ? `/v1/roles/${role.code}` : `/v1/roles/${role.code}?wing=${role.wing}`)
    return reply.code(201).send(toRole(role))
  })

  app.patch('/roles/:code', {
    config: { permission: 'manage_catalogue' },
    schema: { operationId: 'updateRole', tags, summary: 'Change a role (global admins); existing terms are not affected', params: CodeParams, querystring: OneWing, body: UpdateRoleBody, response: { 200: RoleSchema, ...problemResponses(400, 404) } }
  }, async (request) => toRole(await updateRole(app.db, request.actor, request.query.wing, request.params.code, request.body)))

  app.delete('/roles/:code', {
    config: { permission: 'manage_catalogue' },
    schema: { operationId: 'deleteRole', tags, summary: 'Remove an unused role (global admins)', params: CodeParams, querystring: OneWing, response: { 204: z.undefined(), ...problemResponses(400, 404, 409) } }
  }, async (request, reply) => {
    await deleteRole(app.db, request.actor, request.query.wing, request.params.code)
    return reply.code(204).send()
  })
}
