import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { encodeChangeCursor } from '../changes/queries.js'
import { notFound } from '../errors.js'
import { ifMatch, setEtag } from '../http/etag.js'
import { withHeaders } from '../http/openapi.js'
import { decodeCursor, toPage } from '../http/pagination.js'
import { problemResponses } from '../http/problem.js'
import { ping, retryDelivery } from './delivery.js'
import { createWebhook, deleteWebhook, findDelivery, findWebhook, listDeliveries, listWebhooks, publicWebhook, rotateSecret, updateWebhook, type DeliveryRow, type WebhookRow } from './queries.js'
import {
  CreatedWebhook, CreateWebhookBody, DeliveryPage, DeliveryParams, DeliverySchema, ListQuery, RotateSecretBody, UpdateWebhookBody, WebhookIdParams, WebhookPage, WebhookSchema
} from './schemas.js'

const tags = ['webhooks']
const config = { permission: 'manage_keys' as const }
const WebhookCursor = z.tuple([z.iso.datetime(), z.uuid()])
const DeliveryCursor = z.number().int().min(1)

function toWebhook (w: WebhookRow) {
  return {
    ...publicWebhook(w),
    cursor: encodeChangeCursor(w.cursor),
    failing: w.failingSince ? { since: new Date(w.failingSince).toISOString(), attempts: w.attempts, nextAttemptAt: new Date(w.nextAttemptAt).toISOString() } : null,
    previousSecretUntil: w.previousSecretUntil && new Date(w.previousSecretUntil).getTime() > Date.now() ? new Date(w.previousSecretUntil).toISOString() : null
  }
}

function toDelivery (d: DeliveryRow) {
  return { ...d, id: String(d.id), at: new Date(d.at).toISOString() }
}

/** /v1/webhooks: endpoints told of the feed's changes (admin keys; PostgreSQL only). */
export const webhookRoutes: FastifyPluginAsyncZod = async (app) => {
  const { webhooks } = app

  app.post('/webhooks', {
    // Not idempotent-cached: a replay would have to store the secret, which is never stored in clear.
    config: { ...config, idempotent: false },
    schema: {
      operationId: 'createWebhook',
      tags,
      summary: 'Register an endpoint for the feed\'s changes in your subtree; the signing secret is returned this once',
      description: 'Deliveries follow the Standard Webhooks specification (webhook-id, webhook-timestamp, webhook-signature). ' +
        'Changes from now on are delivered at least once, in feed order. Refused with 409 `webhooks_need_postgresql` on embedded PGlite.',
      body: CreateWebhookBody,
      response: { 201: withHeaders(CreatedWebhook, 'ETag'), ...problemResponses(400, 403, 409, 422) }
    }
  }, async (request, reply) => {
    const courier = webhooks.need()
    const { webhook, secret } = await createWebhook(app.db, request.actor, courier.box, webhooks.policy, request.body)
    setEtag(reply, webhook.version)
    reply.header('location', `/v1/webhooks/${webhook.id}`)
    reply.header('cache-control', 'no-store')
    return reply.code(201).send({ ...toWebhook(webhook), secret })
  })

  app.get('/webhooks', {
    config,
    schema: { operationId: 'listWebhooks', tags, summary: 'The webhooks in your subtree, newest first', querystring: ListQuery, response: { 200: WebhookPage, ...problemResponses(400) } }
  }, async (request) => {
    const { limit, cursor } = request.query
    const found = await listWebhooks(app.db, request.actor, { before: decodeCursor(cursor, WebhookCursor), limit })
    return toPage(found, limit, toWebhook, r => [new Date(r.createdAt).toISOString(), r.id])
  })

  app.get('/webhooks/:id', {
    config,
    schema: { operationId: 'getWebhook', tags, summary: 'One webhook, with its delivery state', params: WebhookIdParams, response: { 200: withHeaders(WebhookSchema, 'ETag'), ...problemResponses(400, 404) } }
  }, async (request, reply) => {
    const row = await findWebhook(app.db, request.actor, request.params.id)
    if (!row) throw notFound('webhook')
    setEtag(reply, row.version)
    return toWebhook(row)
  })

  app.patch('/webhooks/:id', {
    config,
    schema: {
      operationId: 'updateWebhook',
      tags,
      summary: 'Pause or resume a webhook, change its URL or types (If-Match honoured)',
      params: WebhookIdParams,
      body: UpdateWebhookBody,
      response: { 200: withHeaders(WebhookSchema, 'ETag'), ...problemResponses(400, 403, 404, 409, 412, 422) }
    }
  }, async (request, reply) => {
    const row = await updateWebhook(app.db, request.actor, webhooks.policy, request.params.id, request.body, ifMatch(request))
    if (row.status === 'active') webhooks.worker?.wake()
    setEtag(reply, row.version)
    return toWebhook(row)
  })

  app.delete('/webhooks/:id', {
    config,
    schema: { operationId: 'deleteWebhook', tags, summary: 'Delete a webhook and its delivery log (If-Match honoured)', params: WebhookIdParams, response: { 204: z.undefined(), ...problemResponses(400, 403, 404, 412) } }
  }, async (request, reply) => {
    await deleteWebhook(app.db, request.actor, request.params.id, ifMatch(request))
    return reply.code(204).send()
  })

  app.post('/webhooks/:id/rotate-secret', {
    config: { ...config, idempotent: false },
    schema: {
      operationId: 'rotateWebhookSecret',
      tags,
      summary: 'A new signing secret, returned this once; the old one signs beside it for a grace period',
      params: WebhookIdParams,
      body: RotateSecretBody.optional(),
      response: { 200: withHeaders(CreatedWebhook, 'ETag'), ...problemResponses(400, 404, 409) }
    }
  }, async (request, reply) => {
    const courier = webhooks.need()
    const graceMs = request.body?.graceSeconds === undefined ? webhooks.rotationGraceMs : request.body.graceSeconds * 1000
    const { webhook, secret } = await rotateSecret(app.db, request.actor, courier.box, request.params.id, graceMs)
    setEtag(reply, webhook.version)
    reply.header('cache-control', 'no-store')
    return { ...toWebhook(webhook), secret }
  })

  app.post('/webhooks/:id/ping', {
    config,
    schema: {
      operationId: 'pingWebhook',
      tags,
      summary: 'Send a signed test message (type webhook.ping) now; the attempt is answered and logged',
      params: WebhookIdParams,
      response: { 200: DeliverySchema, ...problemResponses(400, 404, 409) }
    }
  }, async (request) => {
    const courier = webhooks.need()
    const row = await findWebhook(app.db, request.actor, request.params.id)
    if (!row) throw notFound('webhook')
    return toDelivery(await ping(app.db, courier, row.id))
  })

  app.get('/webhooks/:id/deliveries', {
    config,
    schema: {
      operationId: 'listWebhookDeliveries',
      tags,
      summary: 'Every delivery attempt, newest first: when, the status, how long, why it failed',
      params: WebhookIdParams,
      querystring: ListQuery,
      response: { 200: DeliveryPage, ...problemResponses(400, 404) }
    }
  }, async (request) => {
    const row = await findWebhook(app.db, request.actor, request.params.id)
    if (!row) throw notFound('webhook')
    const { limit, cursor } = request.query
    const found = await listDeliveries(app.db, row.id, { before: decodeCursor(cursor, DeliveryCursor), limit })
    return toPage(found, limit, toDelivery, r => r.id)
  })

  app.post('/webhooks/:id/deliveries/:deliveryId/retry', {
    config,
    schema: {
      operationId: 'retryWebhookDelivery',
      tags,
      summary: 'Send one delivery again now, with the same webhook-id; the attempt is answered and logged',
      params: DeliveryParams,
      response: { 200: DeliverySchema, ...problemResponses(400, 404, 409, 410) }
    }
  }, async (request) => {
    const courier = webhooks.need()
    const row = await findWebhook(app.db, request.actor, request.params.id)
    if (!row) throw notFound('webhook')
    const delivery = await findDelivery(app.db, row.id, Number(request.params.deliveryId))
    if (!delivery) throw notFound('webhook_delivery')
    const attempt = await retryDelivery(app.db, courier, row.id, delivery)
    webhooks.worker?.wake()
    return toDelivery(attempt)
  })
}
