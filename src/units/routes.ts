import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { notFound } from '../errors.js'
import { ifMatch, setEtag } from '../http/etag.js'
import { decodeCursor, toPage } from '../http/pagination.js'
import { text } from '../http/fields.js'
import { withHeaders } from '../http/openapi.js'
import { problemResponses } from '../http/problem.js'
import { createUnit, deleteUnit, moveUnit, updateUnit } from './changes.js'
import { findUnit, findUnitByCodePath, listAncestors, listUnits, normaliseCodePath, toUnit, type UnitRow } from './queries.js'
import {
  AncestorsQuery, ChildrenQuery, CreateUnitBody, ListUnitsQuery, LookupQuery, MovedUnitSchema, MoveUnitBody,
  UnitIdParams, UnitList, UnitPage, UnitSchema, UpdateUnitBody
} from './schemas.js'

const CursorKey = text(300)
const tags = ['units']
const byCodePath = (r: UnitRow) => r.codePath

/** /v1/units: the organisation tree. */
export const unitRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/units', {
    schema: {
      operationId: 'createUnit',
      tags,
      summary: 'Create a unit under its parent',
      body: CreateUnitBody,
      response: { 201: withHeaders(UnitSchema, 'ETag'), ...problemResponses(400, 409, 415, 422) }
    }
  }, async (request, reply) => {
    const row = await createUnit(app.db, request.actor, request.body)
    setEtag(reply, row.version)
    reply.header('location', `/v1/units/${row.id}`)
    return reply.code(201).send(toUnit(row))
  })

  app.get('/units', {
    schema: {
      operationId: 'listUnits',
      tags,
      summary: 'List units, filtered and paginated in code-path order',
      querystring: ListUnitsQuery,
      response: { 200: UnitPage, ...problemResponses(400) }
    }
  }, async (request) => {
    const { parentId, ancestorId, level, assemblyId, q, limit, cursor } = request.query
    let under: string | undefined
    if (ancestorId) {
      const ancestor = await findUnit(request.readDb, request.actor, ancestorId)
      if (!ancestor) return { items: [], nextCursor: null }
      under = ancestor.codePath
    }
    const after = decodeCursor(cursor, CursorKey)
    const rows = await listUnits(request.readDb, request.actor, { parentId, under, level, assemblyId, q, after, limit })
    return toPage(rows, limit, toUnit, byCodePath)
  })

  app.get('/units/lookup', {
    schema: {
      operationId: 'lookupUnit',
      tags,
      summary: 'Find a unit by its code path, state code first',
      querystring: LookupQuery,
      response: { 200: withHeaders(UnitSchema, 'ETag'), ...problemResponses(400, 404) }
    }
  }, async (request, reply) => {
    const row = await findUnitByCodePath(app.db, request.actor, normaliseCodePath(request.query.path))
    if (!row) throw notFound('unit', 'No unit has that code path.')
    setEtag(reply, row.version)
    return toUnit(row)
  })

  app.get('/units/:id', {
    schema: {
      operationId: 'getUnit',
      tags,
      summary: 'Read a unit',
      params: UnitIdParams,
      response: { 200: withHeaders(UnitSchema, 'ETag'), ...problemResponses(400, 404) }
    }
  }, async (request, reply) => {
    const row = await findUnit(app.db, request.actor, request.params.id)
    if (!row) throw notFound('unit')
    setEtag(reply, row.version)
    return toUnit(row)
  })

  app.patch('/units/:id', {
    schema: {
      operationId: 'updateUnit',
      tags,
      summary: 'Change a unit\'s code, names or booth fields (If-Match optional)',
      params: UnitIdParams,
      body: UpdateUnitBody,
      response: { 200: withHeaders(UnitSchema, 'ETag'), ...problemResponses(400, 404, 409, 412, 422) }
    }
  }, async (request, reply) => {
    const row = await updateUnit(app.db, request.actor, request.params.id, request.body, ifMatch(request))
    setEtag(reply, row.version)
    return toUnit(row)
  })

  app.delete('/units/:id', {
    schema: {
      operationId: 'deleteUnit',
      tags,
      summary: 'Delete a unit that has no children (If-Match optional)',
      params: UnitIdParams,
      response: { 204: z.undefined(), ...problemResponses(400, 404, 409, 412) }
    }
  }, async (request, reply) => {
    await deleteUnit(app.db, request.actor, request.params.id, ifMatch(request))
    return reply.code(204).send()
  })

  app.post('/units/:id/move', {
    schema: {
      operationId: 'moveUnit',
      tags,
      summary: 'Move a unit, with its whole subtree, under another parent of the level above',
      params: UnitIdParams,
      body: MoveUnitBody,
      response: { 200: withHeaders(MovedUnitSchema, 'ETag'), ...problemResponses(400, 404, 409, 412, 422) }
    }
  }, async (request, reply) => {
    const row = await moveUnit(app.db, request.actor, request.params.id, request.body.parentId, ifMatch(request), request.body.leaveClusters)
    setEtag(reply, row.version)
    return { ...toUnit(row), leftClusters: row.leftClusters }
  })

  app.get('/units/:id/children', {
    schema: {
      operationId: 'unitChildren',
      tags,
      summary: 'The unit\'s direct children, in code order',
      params: UnitIdParams,
      querystring: ChildrenQuery,
      response: { 200: UnitPage, ...problemResponses(400, 404) }
    }
  }, async (request) => {
    const parent = await findUnit(request.readDb, request.actor, request.params.id)
    if (!parent) throw notFound('unit')
    const { limit, cursor } = request.query
    const rows = await listUnits(request.readDb, request.actor, { parentId: parent.id, after: decodeCursor(cursor, CursorKey), limit })
    return toPage(rows, limit, toUnit, byCodePath)
  })

  app.get('/units/:id/ancestors', {
    schema: {
      operationId: 'unitAncestors',
      tags,
      summary: 'The breadcrumb from the state down to the unit\'s parent (or the unit, with includeSelf)',
      params: UnitIdParams,
      querystring: AncestorsQuery,
      response: { 200: UnitList, ...problemResponses(400, 404) }
    }
  }, async (request) => {
    const unit = await findUnit(request.readDb, request.actor, request.params.id)
    if (!unit) throw notFound('unit')
    const rows = await listAncestors(request.readDb, request.actor, unit, request.query.includeSelf)
    return { items: rows.map(toUnit), nextCursor: null }
  })
}
