import { z } from 'zod'
import { WEBHOOK_STATUSES } from '../db/schema.js'
import { pageOf, PageQuery } from '../http/pagination.js'

const WebhookType = z.string().regex(/^(\*|[a-z][a-z_]*\.(\*|[a-z][a-z_]*))$/, 'a change type (appointment.created), entity.* or *')
const Url = z.string().min(1).max(2000).describe('Where deliveries are POSTed: http or https; private and loopback addresses only when WEBHOOK_ALLOWED_NETWORKS allows them')

export const WebhookSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  types: z.array(z.string()).describe('The change types delivered: as the feed names them, entity.* or *'),
  unitId: z.uuid().nullable().describe('Only changes whose unit was, at the time, this unit or below it; null: every change (global keys)'),
  unitCodePath: z.string().nullable(),
  status: z.enum(WEBHOOK_STATUSES).describe('active; paused (by you, or because the creating key was revoked); disabled (410 Gone, or failing for WEBHOOK_RETRY_FOR_MS)'),
  statusReason: z.string().nullable().describe('paused, key_revoked, gone, retries_exhausted or cursor_expired'),
  createdBy: z.uuid().describe('The key that created it; revoking that key pauses it'),
  cursor: z.string().describe('The last change delivered (or passed over as not wanted): a feed cursor'),
  failing: z.object({
    since: z.iso.datetime(),
    attempts: z.number().int(),
    nextAttemptAt: z.iso.datetime()
  }).nullable().describe('While the next change keeps failing: since when, how many attempts, when the next one is due'),
  previousSecretUntil: z.iso.datetime().nullable().describe('After a rotation: until when the old secret signs too'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime()
}).meta({ id: 'Webhook' })

export const CreatedWebhook = WebhookSchema.extend({
  secret: z.string().describe('The signing secret (whsec_…). Shown this once; stored encrypted.')
}).meta({ id: 'CreatedWebhook' })

export const CreateWebhookBody = z.strictObject({
  url: Url,
  types: z.array(WebhookType).min(1).max(100),
  unitId: z.uuid().nullable().optional().describe('A unit within your scope; omitted: your scope unit (every change, for a global key)')
}).meta({ id: 'CreateWebhook' })

export const UpdateWebhookBody = z.strictObject({
  url: Url.optional(),
  types: z.array(WebhookType).min(1).max(100).optional(),
  status: z.enum(['active', 'paused']).optional().describe('paused stops deliveries; active resumes them from where they stopped, nothing skipped')
}).meta({ id: 'UpdateWebhook' })

export const RotateSecretBody = z.strictObject({
  graceSeconds: z.number().int().min(0).max(7 * 24 * 3600).optional()
    .describe('How long the old secret signs beside the new one (default: WEBHOOK_ROTATION_GRACE_MS, 24 hours)')
}).meta({ id: 'RotateWebhookSecret' })

export const DeliverySchema = z.object({
  id: z.string().describe('Pass to .../deliveries/{deliveryId}/retry'),
  messageId: z.string().describe('The webhook-id header: the same for every attempt at the same change'),
  kind: z.enum(['change', 'retry', 'ping']).describe('change: by the worker; retry: asked for; ping: a test message'),
  type: z.string(),
  position: z.number().int().nullable().describe('The change\'s feed position; null for a ping'),
  attempt: z.number().int(),
  at: z.iso.datetime(),
  statusCode: z.number().int().nullable().describe('The receiver\'s status; null when there was no answer'),
  durationMs: z.number().int(),
  ok: z.boolean().describe('A 2xx answer'),
  error: z.string().nullable().describe('Why it failed: the status, a timeout, a refused address, a connection error')
}).meta({ id: 'WebhookDelivery' })

export const WebhookPage = pageOf(WebhookSchema).meta({ id: 'WebhookPage' })
export const DeliveryPage = pageOf(DeliverySchema).meta({ id: 'WebhookDeliveryPage' })
export const WebhookIdParams = z.object({ id: z.uuid() })
export const DeliveryParams = z.object({ id: z.uuid(), deliveryId: z.string().regex(/^[1-9]\d{0,17}$/) })
export const ListQuery = z.object({ ...PageQuery })
