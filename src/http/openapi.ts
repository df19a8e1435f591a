import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify'
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod'
import type { z } from 'zod'

// What the transform learns from a route that the finished document needs; carried on the
// operation under this key and removed from it before the document is served.
const ROUTE_NOTES = 'x-route-notes'
interface RouteNotes {
  /** A POST the idempotency plugin caches (src/http/idempotency.ts). */
  idempotent: boolean
  /** Response headers the route's schema names, by status (withHeaders). */
  headers: Record<string, ResponseHeaderName[]>
  /** Media types of a body the route reads itself, as a stream (no body schema, only consumes). */
  upload?: readonly string[]
}

type OpenApiResponse = { description?: string, content?: Record<string, unknown>, headers?: Record<string, unknown> }
type OpenApiOperation = {
  parameters?: unknown[]
  requestBody?: unknown
  responses?: Record<string, OpenApiResponse>
  security?: Array<Record<string, string[]>>
  [ROUTE_NOTES]?: RouteNotes
}
type OpenApiDocument = {
  servers?: Array<{ url: string, description?: string }>
  paths?: Record<string, Record<string, OpenApiOperation>>
  components?: {
    securitySchemes?: Record<string, unknown>
    schemas?: Record<string, unknown>
    headers?: Record<string, unknown>
    parameters?: Record<string, unknown>
  }
}

// --- what a route's schema declares for the document --------------------------

/** Response headers a route may name beside its body (components/headers in the document). */
export type ResponseHeaderName = 'ETag' | 'Location'

/**
 * A JSON response and the headers it always carries, for a route's schema:
 * `response: { 200: withHeaders(UnitSchema, 'ETag') }`. Fastify serialises `content` as
 * for a bare schema and ignores `headers`; the OpenAPI document lists them.
 */
export function withHeaders<T extends z.ZodType> (schema: T, ...headers: ResponseHeaderName[]) {
  return { headers, content: { 'application/json': { schema } } }
}

function notesOf (schema: FastifySchema, route: RouteOptions): RouteNotes {
  const headers: Record<string, ResponseHeaderName[]> = {}
  for (const [status, response] of Object.entries((schema.response ?? {}) as Record<string, unknown>)) {
    const named = (response as { headers?: unknown }).headers
    if (Array.isArray(named)) headers[status] = named
  }
  return {
    idempotent: route.method === 'POST' && route.config?.idempotent !== false,
    headers,
    upload: !schema.body && schema.consumes?.length ? schema.consumes : undefined
  }
}

// --- shared pieces of the document ----------------------------------------------

const COMMON_V1_ERRORS: Record<string, string> = {
  401: 'Missing, malformed, unknown, revoked or expired API key (missing_credentials, malformed_key, invalid_key, key_revoked, key_expired); the X-RateLimit headers give the failures this address has left',
  403: 'The key\'s role or scope does not allow this',
  429: 'Too many requests for this key (rate_limited), or too many failed authentications from this address (too_many_failed_authentications); retry after Retry-After',
  503: 'The database is unreachable; retry later'
}

const integer = (description: string) => ({ description, schema: { type: 'integer', minimum: 0 } })
// Shared as components and referenced from the responses that carry them.
const HEADERS = {
  WWWAuthenticate: { description: 'Bearer realm="sangathan"', schema: { type: 'string' } },
  RetryAfter: integer('Seconds to wait before retrying'),
  RateLimitLimit: integer('Requests per window for the key; on a 401 or a too_many_failed_authentications 429, failed authentications per window for the address'),
  RateLimitRemaining: integer('What is left of that budget in this window'),
  RateLimitReset: integer('Seconds until the window ends'),
  RequestId: {
    description: 'The request\'s id, on every response and every log line of the request: the caller\'s own X-Request-Id when it is safe to log (A-Z a-z 0-9 . _ : -, at most 128, no personal data), otherwise a fresh UUID',
    required: true,
    schema: { type: 'string' }
  },
  ETag: {
    description: 'The version of the resource; send it back in If-Match to change it only if nobody else has',
    required: true,
    schema: { type: 'string', pattern: '^"v[0-9]+"$' }
  },
  Location: {
    description: 'Where the resource lives (for an import, its record: poll it after a 202)',
    required: true,
    schema: { type: 'string', format: 'uri-reference' }
  }
}
type HeaderComponent = keyof typeof HEADERS
const ref = (name: HeaderComponent) => ({ $ref: `#/components/headers/${name}` })
const LIMIT_HEADERS = { 'X-RateLimit-Limit': ref('RateLimitLimit'), 'X-RateLimit-Remaining': ref('RateLimitRemaining'), 'X-RateLimit-Reset': ref('RateLimitReset') }
const COMMON_V1_HEADERS: Record<string, Record<string, unknown>> = {
  401: { 'WWW-Authenticate': ref('WWWAuthenticate'), ...LIMIT_HEADERS },
  429: { 'Retry-After': ref('RetryAfter'), ...LIMIT_HEADERS }
}

// Request headers, declared on the operations that honour them.
const PARAMETERS = {
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'Retry this POST safely: for 24 hours a request with the same key and body replays the first answer (Idempotent-Replayed: true); the same key with another body is 422 idempotency_key_reused; while the first is still running, 409.',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[!-~]+$' }
  },
  IfMatch: {
    name: 'If-Match',
    in: 'header',
    required: false,
    description: 'Change the resource only if its ETag is still this one (or *); otherwise 412.',
    schema: { type: 'string' }
  },
  Prefer: {
    name: 'Prefer',
    in: 'header',
    required: false,
    description: 'respond-async: answer 202 (Preference-Applied: respond-async) once the file is read, and write the rows in the background; poll the import at Location.',
    schema: { type: 'string', examples: ['respond-async'] }
  },
  LastEventId: {
    name: 'Last-Event-ID',
    in: 'header',
    required: false,
    description: 'An event stream resumed: the id of the last event received (a cursor); it takes the place of ?after=.',
    schema: { type: 'string', maxLength: 100 }
  }
}
type ParameterComponent = keyof typeof PARAMETERS
const param = (name: ParameterComponent) => ({ $ref: `#/components/parameters/${name}` })

// A streamed upload: Swagger UI offers a file picker for a binary string.
const UPLOAD = { type: 'string', format: 'binary' }

/**
 * Finishing touches the route schemas cannot express: error responses carry their real
 * media type, every /v1 operation documents the bearer key and its refusals, and the
 * headers, uploads and servers a client generator needs are declared.
 */
function finishDocument<T extends OpenApiDocument> (doc: T): T {
  doc.servers = [{ url: '/', description: 'The service that serves this document' }]
  doc.components = doc.components ?? {}
  doc.components.securitySchemes = { apiKey: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' } }
  doc.components.headers = HEADERS
  doc.components.parameters = PARAMETERS
  for (const [path, operations] of Object.entries(doc.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      const notes = operation[ROUTE_NOTES]
      delete operation[ROUTE_NOTES]
      operation.responses = operation.responses ?? {}
      if (path.startsWith('/v1/')) {
        operation.security = [{ apiKey: [] }]
        for (const [status, description] of Object.entries(COMMON_V1_ERRORS)) {
          operation.responses[status] ??= { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } } }
          if (COMMON_V1_HEADERS[status]) operation.responses[status].headers ??= COMMON_V1_HEADERS[status]
        }
      } else {
        // Health probes and docs need no key: say so, rather than leave it unstated.
        operation.security = []
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) >= 400 && response.content?.['application/json']) {
          response.content = { 'application/problem+json': response.content['application/json'] }
        }
        const headers: Record<string, unknown> = { 'X-Request-Id': ref('RequestId') }
        if (status === '201') headers.Location = ref('Location')
        for (const name of notes?.headers[status] ?? []) headers[name] = ref(name)
        if (status === '503') headers['Retry-After'] = ref('RetryAfter')
        response.headers = { ...headers, ...response.headers }
      }
      const parameters: unknown[] = []
      if (notes?.idempotent) parameters.push(param('IdempotencyKey'))
      // 412 and 202 exist only as answers to these headers, so the operations that
      // document them are the ones that honour the headers.
      if (operation.responses['412']) parameters.push(param('IfMatch'))
      if (operation.responses['202']) parameters.push(param('Prefer'))
      if (operation.responses['200']?.content?.['text/event-stream']) parameters.push(param('LastEventId'))
      if (parameters.length) operation.parameters = [...(operation.parameters ?? []), ...parameters]
      if (notes?.upload && !operation.requestBody) {
        operation.requestBody = {
          required: true,
          description: 'The file itself, streamed as it is read',
          content: Object.fromEntries(notes.upload.map(media => [media, { schema: UPLOAD }]))
        }
      }
    }
  }
  pruneUnusedSchemas(doc)
  return doc
}

/**
 * fastify-type-provider-zod emits an input and an output variant of every registered
 * schema; a generator needs only the ones an operation reaches.
 */
function pruneUnusedSchemas (doc: OpenApiDocument) {
  const schemas = doc.components?.schemas ?? {}
  const prefix = '#/components/schemas/'
  const used = new Set<string>()
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) { node.forEach(visit); return }
    if (!node || typeof node !== 'object') return
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(prefix)) {
        const name = value.slice(prefix.length)
        if (!used.has(name)) { used.add(name); visit(schemas[name]) }
      } else {
        visit(value)
      }
    }
  }
  visit({ ...doc, components: { ...doc.components, schemas: undefined } })
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name]
}

/** OpenAPI 3.1 produced from the routes' zod schemas; served at /openapi.json, browsable at /docs. */
export async function registerOpenApi (app: FastifyInstance, version: string) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Sangathan',
        version,
        description: 'System of record for the party\'s booth-level organisation: the state > district > block > ward > booth tree, its office-bearers and coverage. Errors are application/problem+json (RFC 9457) with a stable `code`.'
      },
      tags: [
        { name: 'units', description: 'The organisation tree' },
        { name: 'assemblies', description: 'Assembly constituencies: groupings of a state\'s booths, created as booths name them' },
        { name: 'people', description: 'People and their home booths' },
        { name: 'memberships', description: 'Party membership at a booth: grade and status' },
        { name: 'roles', description: 'The catalogue of posts' },
        { name: 'appointments', description: 'Terms of office; the own-booth rule' },
        { name: 'coverage', description: 'Coverage, gaps and vacancies: where the holes are' },
        { name: 'clusters', description: 'Booth clusters (sectors, zones, shakti kendras) and their posts' },
        { name: 'training', description: 'Training camps, their invitations and attendance; who was trained and who still must be' },
        { name: 'imports', description: 'Bulk imports of the tree, of booth presidents and of booth clusters (CSV or NDJSON)' },
        { name: 'api-keys', description: 'Keys, roles and scopes (admin keys)' },
        { name: 'audit', description: 'The append-only trail of changes (admin keys)' },
        { name: 'changes', description: 'The change feed: what changed, in order, from a cursor (long-poll or Server-Sent Events)' },
        { name: 'webhooks', description: 'The change feed pushed to your endpoints, signed (Standard Webhooks; admin keys, PostgreSQL only)' },
        { name: 'health', description: 'Liveness and readiness' }
      ]
    },
    transform: (input) => {
      const out = jsonSchemaTransform(input)
      if (out.schema?.hide) return out
      return { ...out, schema: { ...out.schema, [ROUTE_NOTES]: notesOf(input.schema, input.route) } }
    },
    transformObject: (input) => finishDocument(jsonSchemaTransformObject(input) as OpenApiDocument)
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}
