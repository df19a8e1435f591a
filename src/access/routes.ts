import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { KEY_ROLES } from '../db/schema.js'
import { notFound } from '../errors.js'
import { IsoDate, IsoDateTime, text } from '../http/fields.js'
import { decodeCursor, pageOf, PageQuery, toPage } from '../http/pagination.js'
import { problemResponses } from '../http/problem.js'
import { indiaEndOfDay } from '../time.js'
import { findUnit, toUnit } from '../units/queries.js'
import { UnitSchema } from '../units/schemas.js'
import { permissionsOf } from './actor.js'
import { createKey, findKey, findOwnKey, listKeys, publicKey, revokeKey } from './keys.js'

const ApiKeySchema = z.object({
  id: z.uuid(),
  label: z.string(),
  role: z.enum(KEY_ROLES),
  scopeUnitId: z.uuid().nullable().describe('The unit whose subtree the key may see and change; null is global'),
  scopeCodePath: z.string().nullable(),
  prefix: z.string().describe('The first characters of the secret, to tell keys apart'),
  maskPersonalData: z.boolean().describe('Reader keys only: phone numbers and voter IDs are masked in responses'),
  createdBy: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable().describe('Recorded at most once a minute'),
  expiresAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable()
}).meta({ id: 'ApiKey' })

const CreatedApiKey = ApiKeySchema.extend({
  key: z.string().describe('The secret. Shown this once; only its hash is stored.')
}).meta({ id: 'CreatedApiKey' })

const CreateApiKeyBody = z.strictObject({
  role: z.enum(KEY_ROLES),
  scopeUnitId: z.uuid().nullable().optional().describe('Omit for a global key (global admins only)'),
  label: text(200),
  expiresAt: z.union([IsoDateTime, IsoDate]).nullable().optional()
    .describe('A timestamp, or a date meaning the end of that day in India time'),
  maskPersonalData: z.boolean().optional()
}).meta({ id: 'CreateApiKey' })

const PERMISSIONS = ['read', 'write', 'import', 'manage_keys', 'manage_catalogue', 'read_audit'] as const

const MeSchema = z.object({
  keyId: z.uuid(),
  label: z.string(),
  role: z.enum(KEY_ROLES),
  permissions: z.array(z.enum(PERMISSIONS)).describe('What this key may do'),
  scopeUnit: UnitSchema.nullable().describe('The unit whose subtree the key may see and change; null is global (every state)'),
  maskPersonalData: z.boolean().describe('Phone numbers and voter IDs come back masked'),
  expiresAt: z.iso.datetime().nullable()
}).meta({ id: 'Me' })

const ListQuery = z.object({
  includeRevoked: z.stringbool().default(false),
  ...PageQuery
})
const Cursor = z.tuple([z.iso.datetime(), z.uuid()])
const IdParams = z.object({ id: z.uuid() })
const tags = ['api-keys']

export const apiKeyRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/me', {
    // Any key may ask what it is: a dashboard shows its scope and role before anything else.
    config: { permission: 'read' },
    schema: { operationId: 'getMe', tags, summary: 'The key making the request: its role, scope and masking (any key)', response: { 200: MeSchema } }
  }, async (request, reply) => {
    const { actor } = request
    const key = await findOwnKey(app.db, actor.keyId!)
    if (!key) throw notFound('api_key')
    const scope = actor.scopeUnitId ? await findUnit(app.db, actor, actor.scopeUnitId) : undefined
    reply.header('cache-control', 'no-store')
    return {
      keyId: key.id,
      label: key.label,
      role: key.role,
      permissions: permissionsOf(actor),
      scopeUnit: scope ? toUnit(scope) : null,
      maskPersonalData: key.maskPersonalData,
      expiresAt: key.expiresAt ? new Date(key.expiresAt).toISOString() : null
    }
  })

  app.post('/api-keys', {
    // Not idempotent-cached: a replay would have to store the secret, which is never stored.
    config: { permission: 'manage_keys', idempotent: false },
    schema: {
      operationId: 'createApiKey',
      tags,
      summary: 'Mint a key (its secret is shown once)',
      body: CreateApiKeyBody,
      response: { 201: CreatedApiKey, ...problemResponses(400, 403, 422) }
    }
  }, async (request, reply) => {
    const { expiresAt, ...rest } = request.body
    const expiry = expiresAt ? (expiresAt.length === 10 ? indiaEndOfDay(expiresAt) : new Date(expiresAt)) : null
    const { key, secret } = await createKey(app.db, request.actor, { ...rest, expiresAt: expiry })
    reply.header('location', `/v1/api-keys/${key.id}`)
    // The secret must not be replayed from the idempotency store or any cache.
    reply.header('cache-control', 'no-store')
    return reply.code(201).send({ ...publicKey(key), key: secret })
  })

  app.get('/api-keys', {
    config: { permission: 'manage_keys' },
    schema: { operationId: 'listApiKeys', tags, summary: 'Keys within your scope, newest first', querystring: ListQuery, response: { 200: pageOf(ApiKeySchema).meta({ id: 'ApiKeyPage' }), ...problemResponses(400, 403) } }
  }, async (request) => {
    const { includeRevoked, limit, cursor } = request.query
    const after = decodeCursor(cursor, Cursor)
    const rows = await listKeys(app.db, request.actor, { includeRevoked, before: after, limit })
    return toPage(rows, limit, publicKey, (k) => [new Date(k.createdAt).toISOString(), k.id])
  })

  app.get('/api-keys/:id', {
    config: { permission: 'manage_keys' },
    schema: { operationId: 'getApiKey', tags, summary: 'One key (never its secret)', params: IdParams, response: { 200: ApiKeySchema, ...problemResponses(400, 403, 404) } }
  }, async (request) => {
    const key = await findKey(app.db, request.actor, request.params.id)
    if (!key) throw notFound('api_key')
    return publicKey(key)
  })

  app.delete('/api-keys/:id', {
    config: { permission: 'manage_keys' },
    schema: { operationId: 'revokeApiKey', tags, summary: 'Revoke a key: it stops working at once here, within 5 s on other instances', params: IdParams, response: { 204: z.undefined(), ...problemResponses(400, 403, 404) } }
  }, async (request, reply) => {
    await revokeKey(app.db, request.actor, request.params.id)
    app.keys.forget(request.params.id)
    return reply.code(204).send()
  })
}
