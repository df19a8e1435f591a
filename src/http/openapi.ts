import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod'

type OpenApiOperation = {
  responses?: Record<string, { description?: string, content?: Record<string, unknown>, headers?: Record<string, unknown> }>
  security?: Array<Record<string, string[]>>
}
type OpenApiDocument = {
  paths?: Record<string, Record<string, OpenApiOperation>>
  components?: { securitySchemes?: Record<string, unknown>, schemas?: Record<string, unknown>, headers?: Record<string, unknown> }
}

const COMMON_V1_ERRORS: Record<string, string> = {
  401: 'Missing, malformed, unknown, revoked or expired API key (missing_credentials, malformed_key, invalid_key, key_revoked, key_expired); the X-RateLimit headers give the failures this address has left',
  403: 'The key\'s role or scope does not allow this',
  429: 'Too many requests for this key (rate_limited), or too many failed authentications from this address (too_many_failed_authentications); retry after Retry-After',
  503: 'The database is unreachable; retry later'
}

const integer = (description: string) => ({ description, schema: { type: 'integer', minimum: 0 } })
// Shared as components, referenced from every /v1 operation's 401 and 429.
const HEADERS = {
  WWWAuthenticate: { description: 'Bearer realm="sangathan"', schema: { type: 'string' } },
  RetryAfter: integer('Seconds to wait before retrying'),
  RateLimitLimit: integer('Requests per window for the key; on a 401 or a too_many_failed_authentications 429, failed authentications per window for the address'),
  RateLimitRemaining: integer('What is left of that budget in this window'),
  RateLimitReset: integer('Seconds until the window ends')
}
const ref = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` })
const LIMIT_HEADERS = { 'X-RateLimit-Limit': ref('RateLimitLimit'), 'X-RateLimit-Remaining': ref('RateLimitRemaining'), 'X-RateLimit-Reset': ref('RateLimitReset') }
const COMMON_V1_HEADERS: Record<string, Record<string, unknown>> = {
  401: { 'WWW-Authenticate': ref('WWWAuthenticate'), ...LIMIT_HEADERS },
  429: { 'Retry-After': ref('RetryAfter'), ...LIMIT_HEADERS }
}

/**
 * Finishing touches the route schemas cannot express: error responses carry their
 * real media type, and every /v1 operation documents the bearer key and its refusals.
 */
function problemsAsProblemJson<T extends OpenApiDocument> (doc: T): T {
  doc.components = doc.components ?? {}
  doc.components.securitySchemes = { apiKey: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' } }
  doc.components.headers = HEADERS
  for (const [path, operations] of Object.entries(doc.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      if (path.startsWith('/v1/')) {
        operation.security = [{ apiKey: [] }]
        operation.responses = operation.responses ?? {}
        for (const [status, description] of Object.entries(COMMON_V1_ERRORS)) {
          operation.responses[status] ??= { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } } }
          if (COMMON_V1_HEADERS[status]) operation.responses[status].headers ??= COMMON_V1_HEADERS[status]
        }
      }
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (Number(status) >= 400 && response.content?.['application/json']) {
          response.content = { 'application/problem+json': response.content['application/json'] }
        }
      }
    }
  }
  return doc
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
        { name: 'people', description: 'People and their home booths' },
        { name: 'memberships', description: 'Party membership at a booth: grade and status' },
        { name: 'roles', description: 'The catalogue of posts' },
        { name: 'appointments', description: 'Terms of office; the own-booth rule' },
        { name: 'coverage', description: 'Coverage, gaps and vacancies: where the holes are' },
        { name: 'imports', description: 'Bulk imports of the tree and of booth presidents (CSV or NDJSON)' },
        { name: 'api-keys', description: 'Keys, roles and scopes (admin keys)' },
        { name: 'audit', description: 'The append-only trail of changes (admin keys)' },
        { name: 'health', description: 'Liveness and readiness' }
      ]
    },
    transform: jsonSchemaTransform,
    transformObject: (input) => problemsAsProblemJson(jsonSchemaTransformObject(input) as OpenApiDocument)
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}
