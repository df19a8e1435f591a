import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { notFound } from '../errors.js'
import { jsonOrCsv, mapRows, sendCsvRows, wantsCsv, type CsvColumn } from '../http/csv.js'
import { ifMatch, setEtag } from '../http/etag.js'
import { withHeaders } from '../http/openapi.js'
import { decodeCursor, toPage } from '../http/pagination.js'
import { problemResponses } from '../http/problem.js'
import {
  allHandleIssues, createDuty, createPlatform, deleteDuty, deletePlatform, dismissHandleIssue, findPlatform, handleIssueKey,
  listDuties, listHandleIssues, listPlatforms, toHandleIssue, toPlatform, updatePlatform
} from './catalogue.js'
import {
  CreatePlatformBody, HandleDutyBody, HandleDutyList, HandleDutyParams, HandleDutyQuery, HandleDutySchema, HandleIssuePage,
  HandleIssueQuery, HandleIssueSchema, PlatformCode, PlatformList, PlatformSchema, UpdatePlatformBody
} from './catalogue-schemas.js'

const tags = ['social-media']
const CodeParams = z.object({ code: PlatformCode })
const IdParams = z.object({ id: z.uuid() })
const IssueCursor = z.tuple([z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/), z.uuid()])

/** The handle issues CSV: the JSON items, the holder's id and name in columns of their own. */
const HANDLE_ISSUE_CSV: ReadonlyArray<CsvColumn<ReturnType<typeof toHandleIssue>>> = [
  ['id', r => r.id],
  ['person_id', r => r.personId],
  ['person_name', r => r.personName],
  ['platform', r => r.platform],
  ['raw_value', r => r.rawValue],
  ['reason', r => r.reason],
  ['taken_by_id', r => r.takenBy?.id],
  ['taken_by_name', r => r.takenBy?.name],
  ['created_at', r => r.createdAt],
  ['dismissed_at', r => r.dismissedAt]
]

/**
 * /v1/platforms, /v1/handle-duties and /v1/handle-issues: the social media catalogue, the
 * duty to run platforms, and the handles to review (src/social-media/catalogue.ts).
 */
export const socialMediaCatalogueRoutes: FastifyPluginAsyncZod = async (app) => {
  // --- platforms ---
  app.get('/platforms', {
    schema: { operationId: 'listPlatforms', tags, summary: 'The social media platforms a handle may be on, with each one\'s rule', response: { 200: PlatformList } }
  }, async () => ({ items: (await listPlatforms(app.db)).map(toPlatform), nextCursor: null }))

  app.get('/platforms/:code', {
    schema: { operationId: 'getPlatform', tags, summary: 'One platform', params: CodeParams, response: { 200: withHeaders(PlatformSchema, 'ETag'), ...problemResponses(400, 404) } }
  }, async (request, reply) => {
    const platform = await findPlatform(app.db, request.params.code)
    if (!platform) throw notFound('platform')
    setEtag(reply, platform.version)
    return toPlatform(platform)
  })

  app.post('/platforms', {
    config: { permission: 'manage_catalogue' },
    schema: {
      operationId: 'createPlatform',
      tags,
      summary: 'Add a platform (global admins); people\'s handles on it go in handles.<code>',
      body: CreatePlatformBody,
      response: { 201: withHeaders(PlatformSchema, 'ETag', 'Location'), ...problemResponses(400, 409, 422) }
    }
  }, async (request, reply) => {
    const platform = await createPlatform(app.db, request.actor, request.body)
    setEtag(reply, platform.version)
    reply.header('location', `/v1/platforms/${platform.code}`)
    return reply.code(201).send(toPlatform(platform))
  })

  app.patch('/platforms/:code', {
    config: { permission: 'manage_catalogue' },
    schema: {
      operationId: 'updatePlatform',
      tags,
      summary: 'Change a platform (global admins); its code stays',
      description: 'A new handle pattern every stored handle of the platform must still match: otherwise 409 pattern_rejects_handles.',
      params: CodeParams,
      body: UpdatePlatformBody,
      response: { 200: withHeaders(PlatformSchema, 'ETag'), ...problemResponses(400, 404, 409, 412, 422) }
    }
  }, async (request, reply) => {
    const platform = await updatePlatform(app.db, request.actor, request.params.code, request.body, ifMatch(request))
    setEtag(reply, platform.version)
    return toPlatform(platform)
  })

  app.delete('/platforms/:code', {
    config: { permission: 'manage_catalogue' },
    schema: {
      operationId: 'deletePlatform',
      tags,
      summary: 'Remove a platform no handle, duty or handle issue names (global admins)',
      params: CodeParams,
      response: { 204: z.undefined(), ...problemResponses(400, 404, 409, 412) }
    }
  }, async (request, reply) => {
    await deletePlatform(app.db, request.actor, request.params.code, ifMatch(request))
    return reply.code(204).send()
  })

  // --- the duty ---
  app.get('/handle-duties', {
    schema: {
      operationId: 'listHandleDuties',
      tags,
      summary: 'The social media duty: which posts (wing, role, level of the unit) must run which platforms',
      querystring: HandleDutyQuery,
      response: { 200: HandleDutyList, ...problemResponses(400) }
    }
  }, async (request) => ({ items: await listDuties(app.db, request.query), nextCursor: null }))

  app.post('/handle-duties', {
    config: { permission: 'manage_catalogue' },
    schema: {
      operationId: 'createHandleDuty',
      tags,
      summary: 'Bind holders of a post to run a platform (global admins); the duty\'s counters are recounted at once',
      body: HandleDutyBody,
      response: { 201: withHeaders(HandleDutySchema, 'Location'), ...problemResponses(400, 409, 422) }
    }
  }, async (request, reply) => {
    const duty = await createDuty(app.db, request.actor, request.body)
    reply.header('location', `/v1/handle-duties/${duty.wing}/${duty.role}/${duty.level}/${duty.platform}`)
    return reply.code(201).send(duty)
  })

  app.delete('/handle-duties/:wing/:role/:level/:platform', {
    config: { permission: 'manage_catalogue' },
    schema: {
      operationId: 'deleteHandleDuty',
      tags,
      summary: 'Release holders of a post from running a platform (global admins); the duty\'s counters are recounted at once',
      params: HandleDutyParams,
      response: { 204: z.undefined(), ...problemResponses(400, 404) }
    }
  }, async (request, reply) => {
    await deleteDuty(app.db, request.actor, request.params)
    return reply.code(204).send()
  })

  // --- handle issues ---
  app.get('/handle-issues', {
    schema: {
      operationId: 'listHandleIssues',
      tags,
      summary: 'Handles that could not be kept as given, of people in your subtree, oldest first; JSON pages, or all of them as CSV',
      description: 'takenBy names the person who keeps a taken handle only when your key may see them; otherwise it is null.',
      querystring: HandleIssueQuery,
      response: { 200: jsonOrCsv(HandleIssuePage), ...problemResponses(400) }
    }
  }, async (request, reply) => {
    const { cursor, limit, format, ...filter } = request.query
    if (wantsCsv(request, format)) {
      const scope = request.actor.scopeUnitId === null ? 'all' : 'scope'
      return sendCsvRows(reply, `handle-issues-${scope}${filter.dismissed ? '-dismissed' : ''}.csv`, HANDLE_ISSUE_CSV,
        mapRows(allHandleIssues(request.readDb, request.actor, filter), toHandleIssue))
    }
    const found = await listHandleIssues(request.readDb, request.actor, { ...filter, after: decodeCursor(cursor, IssueCursor), limit })
    return toPage(found, limit, toHandleIssue, handleIssueKey)
  })

  app.post('/handle-issues/:id/dismiss', {
    schema: {
      operationId: 'dismissHandleIssue',
      tags,
      summary: 'Mark a handle issue as seen to: it leaves the default list (dismissed=true lists it)',
      params: IdParams,
      response: { 200: HandleIssueSchema, ...problemResponses(400, 404) }
    }
  }, async (request) => toHandleIssue(await dismissHandleIssue(app.db, request.actor, request.params.id)))
}
