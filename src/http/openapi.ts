import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod'

type OpenApiDocument = {
  paths?: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>>
}

/** Error responses are documented with the media type they really have. */
function problemsAsProblemJson<T extends OpenApiDocument> (doc: T): T {
  for (const operations of Object.values(doc.paths ?? {})) {
    for (const operation of Object.values(operations)) {
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
        { name: 'health', description: 'Liveness and readiness' }
      ]
    },
    transform: jsonSchemaTransform,
    transformObject: (input) => problemsAsProblemJson(jsonSchemaTransformObject(input) as OpenApiDocument)
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}
