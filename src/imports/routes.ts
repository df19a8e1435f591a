import { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { campToChange } from '../camps/queries.js'
import { CampIdParams } from '../camps/schemas.js'
import { DomainError, notFound } from '../errors.js'
import { withHeaders } from '../http/openapi.js'
import { decodeCursor, toPage } from '../http/pagination.js'
import { problem, problemResponses, sendProblem } from '../http/problem.js'
import { MEDIA_TYPES, type ImportFormat } from './reader.js'
import { failAbandonedImports, findImport, listImports, type ImportKindName, type ImportReport } from './record.js'
import { ImportBudget } from './budget.js'
import { startImport } from './run.js'
import {
  ClustersImportQuery, ImportFailedProblem, ImportIdParams, ImportPage, ImportReportSchema, ListImportsQuery, PresidentsImportQuery, SignInSheetImportQuery, UnitsImportQuery
} from './schemas.js'

import { wingOrRefuse } from '../wings/catalogue.js'

const tags = ['imports']
/** Far above any real file (1,000,000 presidents is about 100 MB); the body streams, so this bounds only the time spent reading. */
export const IMPORT_BODY_LIMIT = 1024 * 1024 * 1024
const SWEEP_EVERY_MS = 60_000

const formatOf = (contentType: string | undefined): ImportFormat | undefined =>
  (Object.keys(MEDIA_TYPES) as ImportFormat[]).find(f => contentType?.toLowerCase().startsWith(MEDIA_TYPES[f]))

export interface ImportRoutesOptions {
  /** Imports running at once: in all, and per key. */
  concurrency: { total: number, perKey: number }
  /** Where PGlite's uploads wait on disk for their turn. */
  spoolDir: string
}

/** How long a caller refused for a full budget is asked to wait. */
const BUSY_RETRY_AFTER_S = 10

/**
 * /v1/imports: bulk CSV or NDJSON imports of the tree, of booth presidents and of booth
 * clusters, and their reports; and a camp's sign-in sheet, /v1/camps/{id}/sign-in-sheet
 * (here, for the raw-stream content-type parsers).
 */
export const importRoutes: FastifyPluginAsyncZod<ImportRoutesOptions> = async (app, options) => {
  const budget = new ImportBudget(options.concurrency)
  // Only here: the file reaches the handler as the raw request stream, never buffered.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(Object.values(MEDIA_TYPES), (_request, payload, done) => done(null, payload))

  const background = new Set<Promise<unknown>>()
  let sweep: NodeJS.Timeout | undefined
  app.addHook('onReady', async () => {
    await failAbandonedImports(app.db, app.database.kind)
    // PGlite has one owner: only its start-up can find a dead import.
    if (app.database.kind !== 'postgres') return
    sweep = setInterval(() => {
      failAbandonedImports(app.db, 'postgres').catch(() => { /* database down: next sweep */ })
    }, SWEEP_EVERY_MS)
    sweep.unref()
  })
  app.addHook('onClose', async () => {
    clearInterval(sweep)
    await Promise.allSettled(background)
  })

  async function runImport (request: FastifyRequest, reply: FastifyReply, kind: ImportKindName, query: { mode: 'all_or_nothing' | 'partial', dryRun: boolean, replace?: boolean, wing?: string, campId?: string, createPeople?: boolean }) {
    const format = formatOf(request.headers['content-type'])
    if (!format || !(request.body instanceof Readable)) {
      return sendProblem(request, reply, problem(415, 'unsupported_media_type', 'Send the file as text/csv or application/x-ndjson.'))
    }
    if (Number(request.headers['content-length']) > IMPORT_BODY_LIMIT) {
      return sendProblem(request, reply, problem(413, 'payload_too_large', 'The file is larger than this endpoint accepts.'))
    }
    // A wrong wing would fail every row: refused before the file is read.
    if (query.wing) await wingOrRefuse(app.db, query.wing)
    const release = budget.acquire(request.actor.keyId ?? 'system')
    if (!release) {
      // The body is not read: close the connection rather than drain a file nobody will use.
      reply.header('retry-after', String(BUSY_RETRY_AFTER_S)).header('connection', 'close')
      return sendProblem(request, reply, problem(429, 'imports_busy',
        `As many imports as may run at once are running (${options.concurrency.perKey} per key, ${options.concurrency.total} in all). Send the file again after the time in Retry-After.`))
    }
    let started
    try {
      started = await startImport(app.database, request.actor, request.body, {
        kind,
        format,
        mode: query.mode,
        dryRun: query.dryRun,
        replace: query.replace ?? false,
        wing: query.wing,
        campId: query.campId,
        createPeople: query.createPeople,
        bodyLimit: IMPORT_BODY_LIMIT,
        spoolDir: options.spoolDir
      })
    } catch (err) {
      release()
      throw err
    }
    started.finished.then(release, release)
    reply.header('location', `/v1/imports/${started.record.id}`)
    if (/\brespond-async\b/i.test(String(request.headers.prefer ?? ''))) {
      const finished: Promise<unknown> = started.finished
        .catch((err) => request.log.warn({ err: { message: (err as Error).message }, importId: started.record.id }, 'background import failed'))
        .finally(() => background.delete(finished))
      background.add(finished)
      // The file is read during the request, so a broken upload is still the caller's to see.
      await started.staged
      reply.header('preference-applied', 'respond-async')
      return reply.code(202).send(started.record)
    }
    const report = await started.finished
    if (report.status === 'failed') return sendProblem(request, reply, importFailed(report))
    return report
  }

  const postSchema = (operationId: string, summary: string, querystring: typeof UnitsImportQuery | typeof PresidentsImportQuery | typeof ClustersImportQuery | typeof SignInSheetImportQuery, refusals: number[] = []) => ({
    operationId,
    tags,
    summary,
    description: 'The body is the file itself, streamed: text/csv with a header row, or application/x-ndjson with one object per line. Column names are case-insensitive; an unknown column refuses the whole file. Send `Prefer: respond-async` to get 202 and poll the import.',
    querystring,
    // Documents the streamed body without a body schema, which would have Fastify validate the stream.
    consumes: Object.values(MEDIA_TYPES),
    response: {
      200: withHeaders(ImportReportSchema, 'Location'),
      202: withHeaders(ImportReportSchema, 'Location'),
      422: withHeaders(ImportFailedProblem, 'Location'),
      ...problemResponses(400, ...refusals, 413, 415)
    }
  })
  const postOptions = { bodyLimit: IMPORT_BODY_LIMIT, config: { permission: 'import' as const, idempotent: false } }

  app.post('/imports/units', {
    ...postOptions,
    schema: postSchema('importUnits', 'Create or update units down the tree from a CSV or NDJSON file', UnitsImportQuery)
  }, async (request, reply) => runImport(request, reply, 'units', request.query))

  app.post('/imports/booth-presidents', {
    ...postOptions,
    schema: postSchema('importBoothPresidents', 'Find or create people, enrol them as active members at their booth and appoint them (president by default)', PresidentsImportQuery)
  }, async (request, reply) => runImport(request, reply, 'booth_presidents', request.query))

  app.post('/imports/clusters', {
    ...postOptions,
    schema: postSchema('importClusters', 'Create or update booth clusters (sectors, zones, shakti kendras) under wards and blocks, with their booths', ClustersImportQuery)
  }, async (request, reply) => runImport(request, reply, 'clusters', request.query))

  app.post('/camps/:id/sign-in-sheet', {
    ...postOptions,
    schema: {
      ...postSchema('importSignInSheet', 'Record a camp\'s attendance from its typed-up sign-in sheet: invitees and walk-ins checked in per day, new workers created on request', SignInSheetImportQuery, [403, 404, 409]),
      params: CampIdParams
    }
  }, async (request, reply) => {
    // Refused before the file is read: a camp the key does not organise, or one cancelled.
    const camp = await campToChange(app.db, request.actor, request.params.id)
    if (camp.status === 'cancelled') throw new DomainError('conflict', 'camp_cancelled', 'The camp is cancelled: no attendance is recorded at it.')
    return runImport(request, reply, 'sign_in_sheet', { ...request.query, campId: camp.id })
  })

  app.get('/imports', {
    schema: { operationId: 'listImports', tags, summary: 'Imports made within your scope, newest first (without their row errors)', querystring: ListImportsQuery, response: { 200: ImportPage, ...problemResponses(400) } }
  }, async (request) => {
    const { kind, status, limit, cursor } = request.query
    const reports = await listImports(app.db, request.actor, { kind, status, after: decodeCursor(cursor, z.uuid()), limit })
    return toPage(reports, limit, ({ errors: _errors, ...summary }) => summary, r => r.id)
  })

  app.get('/imports/:id', {
    schema: { operationId: 'getImport', tags, summary: 'An import\'s status and report', params: ImportIdParams, response: { 200: ImportReportSchema, ...problemResponses(400, 404) } }
  }, async (request) => {
    const report = await findImport(app.db, request.actor, request.params.id)
    if (!report) throw notFound('import')
    return report
  })
}

function importFailed (report: ImportReport) {
  const { status, ...fields } = report
  return problem(422, 'import_failed',
    `${report.counts.failed} of ${report.counts.rows} rows are invalid, so nothing was written. Correct them and send the file again, or send mode=partial to write the valid rows.`,
    { ...fields, importStatus: status })
}
