import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { domainErrorFromDatabase } from '../db/constraints.js'
import { isDatabaseUnavailable } from '../db/errors.js'
import { DomainError, type ErrorKind } from '../errors.js'

/**
 * One error handler for the whole API: every refusal leaves as an RFC 9457
 * application/problem+json document with a stable machine-readable `code`.
 */

export const ProblemSchema = z.looseObject({
  type: z.string().describe('URI naming the problem type; stable, one per code'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string().describe('Stable machine-readable reason, e.g. unit_code_taken'),
  instance: z.string().optional(),
  requestId: z.string().optional(),
  errors: z.array(z.object({
    location: z.string(),
    pointer: z.string(),
    message: z.string()
  })).optional().describe('For validation_failed: each failing field')
}).meta({ id: 'Problem' })

export type Problem = z.infer<typeof ProblemSchema>

const STATUS_OF: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  precondition_failed: 412,
  gone: 410,
  too_large: 413,
  too_many: 429,
  unavailable: 503
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable'
}

export function problem (status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Problem {
  return { type: `urn:sangathan:problem:${code}`, title: TITLES[status] ?? 'Error', status, detail, code, ...extra }
}

export function sendProblem (request: FastifyRequest, reply: FastifyReply, p: Problem) {
  if (p.status === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', '5')
  if (p.status === 401) reply.header('www-authenticate', 'Bearer realm="sangathan"')
  return reply
    .code(p.status)
    .type('application/problem+json; charset=utf-8')
    // Bypass the route's response schema: a problem is never a resource.
    .serializer(JSON.stringify)
    .send({ ...p, instance: request.url.split('?')[0], requestId: request.id })
}

const FASTIFY_CODES: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'This endpoint does not accept that Content-Type.'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', 'The request body is larger than this endpoint accepts.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'empty_body', 'The request declares JSON but has an empty body.'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'malformed_json', 'The request body is not valid JSON.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_content_length', 'Content-Length does not match the body.'],
  FST_ERR_CTP_INVALID_CONTENT_TYPE: [415, 'unsupported_media_type', 'The Content-Type header is not valid.'],
  FST_ERR_BAD_URL: [400, 'bad_url', 'The URL is not valid.'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'uri_too_long', 'A path segment of the URL is longer than any id this API uses.'],
  FST_ERR_ASYNC_CONSTRAINT: [400, 'bad_request', 'The request cannot be routed.']
}

export function toProblem (error: FastifyError | Error): { problem: Problem, log: 'none' | 'warn' | 'error' } {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as FastifyError).validationContext ?? 'request'
    const errors = (error as FastifyError).validation!.map(v => ({
      location: where,
      pointer: v.instancePath || '/',
      message: v.message ?? 'invalid'
    }))
    const fields = errors.map(e => `${e.location}${e.pointer === '/' ? '' : e.pointer}: ${e.message}`).join('; ')
    return { problem: problem(400, 'validation_failed', `The request is not valid. ${fields}.`, { errors }), log: 'none' }
  }
  if (error instanceof DomainError) {
    return { problem: problem(STATUS_OF[error.kind], error.code, error.message, error.extra), log: error.kind === 'unavailable' ? 'warn' : 'none' }
  }
  const fe = error as FastifyError
  if (fe.code && FASTIFY_CODES[fe.code]) {
    const [status, code, detail] = FASTIFY_CODES[fe.code]
    return { problem: problem(status, code, detail), log: 'none' }
  }
  if (error instanceof SyntaxError && fe.statusCode === 400) {
    return { problem: problem(400, 'malformed_json', 'The request body is not valid JSON.'), log: 'none' }
  }
  const fromDb = domainErrorFromDatabase(error)
  if (fromDb) {
    return { problem: problem(STATUS_OF[fromDb.kind], fromDb.code, fromDb.message, fromDb.extra), log: 'warn' }
  }
  if (isDatabaseUnavailable(error)) {
    return { problem: problem(503, 'database_unavailable', 'The database cannot be reached right now. Retry shortly.'), log: 'warn' }
  }
  if (isResponseSerializationError(error)) {
    return { problem: problem(500, 'internal_error', 'Something went wrong on our side. It has been logged; quote the requestId when reporting it.'), log: 'error' }
  }
  if (fe.statusCode === 429) {
    return { problem: problem(429, 'rate_limited', 'Too many requests for this key. Slow down and retry after the time in Retry-After.'), log: 'none' }
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { problem: problem(fe.statusCode, 'bad_request', fe.message), log: 'none' }
  }
  return { problem: problem(500, 'internal_error', 'Something went wrong on our side. It has been logged; quote the requestId when reporting it.'), log: 'error' }
}

export function registerProblemHandlers (app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { problem: p, log } = toProblem(error)
    if (log === 'error') request.log.error({ err: error }, 'unhandled error')
    else if (log === 'warn') request.log.warn({ code: p.code, errCode: (error as FastifyError).code }, p.detail)
    return sendProblem(request, reply, p)
  })
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, problem(404, 'route_not_found', `No route ${request.method} ${request.url.split('?')[0]}.`)))
}

/** Documented error responses for a route's schema (the handler above produces them). */
export function problemResponses (...statuses: number[]) {
  const out: Record<number, typeof ProblemSchema> = {}
  for (const s of statuses) out[s] = ProblemSchema.describe(TITLES[s] ?? 'Error')
  return out
}
