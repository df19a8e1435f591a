import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { notFound } from '../errors.js'
import { ifMatch, setEtag } from '../http/etag.js'
import { decodeCursor, toPage } from '../http/pagination.js'
import { withHeaders } from '../http/openapi.js'
import { problemResponses } from '../http/problem.js'
import { updateAssembly } from './changes.js'
import { findAssembly, listAssemblies, toAssembly, type AssemblyRow } from './queries.js'
import { AssemblyIdParams, AssemblyPage, AssemblySchema, ListAssembliesQuery, UpdateAssemblyBody } from './schemas.js'

const tags = ['assemblies']
const CursorKey = z.tuple([z.string().max(40), z.number().int()])
const keyOf = (r: AssemblyRow): [string, number] => [r.state_code, r.number]

/** /v1/assemblies: assembly constituencies, groupings of a state's booths (src/assemblies). */
export const assemblyRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/assemblies', {
    schema: {
      operationId: 'listAssemblies',
      tags,
      summary: 'Assembly constituencies with booths in your scope, by state and number',
      querystring: ListAssembliesQuery,
      response: { 200: AssemblyPage, ...problemResponses(400) }
    }
  }, async (request) => {
    const { stateId, districtId, number, q, limit, cursor } = request.query
    const after = decodeCursor(cursor, CursorKey)
    const found = await listAssemblies(app.db, request.actor, { stateId, districtId, number, q, after, limit })
    return toPage(found, limit, toAssembly, keyOf)
  })

  app.get('/assemblies/:id', {
    schema: {
      operationId: 'getAssembly',
      tags,
      summary: 'One assembly constituency: its districts and booth count within your scope',
      params: AssemblyIdParams,
      response: { 200: withHeaders(AssemblySchema, 'ETag'), ...problemResponses(400, 404) }
    }
  }, async (request, reply) => {
    const row = await findAssembly(app.db, request.actor, request.params.id)
    if (!row) throw notFound('assembly')
    setEtag(reply, row.version)
    return toAssembly(row)
  })

  app.patch('/assemblies/:id', {
    schema: {
      operationId: 'updateAssembly',
      tags,
      summary: 'Rename a constituency or set its reservation (admin keys scoped to its state, or global)',
      params: AssemblyIdParams,
      body: UpdateAssemblyBody,
      response: { 200: withHeaders(AssemblySchema, 'ETag'), ...problemResponses(400, 403, 404, 409, 412) }
    }
  }, async (request, reply) => {
    const row = await updateAssembly(app.db, request.actor, request.params.id, request.body, ifMatch(request))
    setEtag(reply, row.version)
    return toAssembly(row)
  })
}
