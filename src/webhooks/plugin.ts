import fp from 'fastify-plugin'
import { DomainError } from '../errors.js'
import { Courier } from './delivery.js'
import { AddressPolicy, Outbound } from './outbound.js'
import { loadWebhookKey, SecretBox } from './secret.js'
import { WebhookWorker, type WorkerOptions } from './worker.js'

export interface Webhooks {
  policy: AddressPolicy
  /** PostgreSQL only; undefined on PGlite, where webhooks are refused. */
  courier?: Courier
  worker?: WebhookWorker
  rotationGraceMs: number
  /** The courier, or the refusal to give on PGlite. */
  need (): Courier
}

declare module 'fastify' {
  interface FastifyInstance {
    webhooks: Webhooks
  }
}

export interface WebhookOptions extends Omit<WorkerOptions, 'log'> {
  key?: string
  dataDir: string
  worker: boolean
  allowedNetworks: string[]
  timeoutMs: number
  connectTimeoutMs: number
  rotationGraceMs: number
}

/**
 * Webhooks: the signing secrets' key, the SSRF-safe client and the delivery worker. On
 * PostgreSQL only: delivery leans on row leases shared by processes, and PGlite is one
 * embedded process with no outbound role to play. The worker starts when the app is
 * ready and stops (abandoning requests in flight, freeing its leases) as it begins to close.
 */
export default fp<WebhookOptions>(async (app, options) => {
  const policy = new AddressPolicy(options.allowedNetworks)
  const postgres = app.database.driver.kind === 'postgres'
  let courier: Courier | undefined
  let outbound: Outbound | undefined
  let worker: WebhookWorker | undefined
  if (postgres) {
    const box = new SecretBox(() => {
      const { key, generatedAt } = loadWebhookKey(options.key, options.dataDir)
      // The path, never the key.
      if (generatedAt) app.log.warn({ file: generatedAt }, 'no WEBHOOK_KEY: generated a key for webhook secrets into this file (set WEBHOOK_KEY when instances share a database)')
      return key
    })
    outbound = new Outbound(policy, { timeoutMs: options.timeoutMs, connectTimeoutMs: options.connectTimeoutMs })
    courier = new Courier(box, outbound)
    if (options.worker) worker = new WebhookWorker(app.db, app.changeFeed.signal, courier, { ...options, log: app.log })
  }
  app.decorate('webhooks', {
    policy,
    courier,
    worker,
    rotationGraceMs: options.rotationGraceMs,
    need () {
      if (!courier) throw new DomainError('conflict', 'webhooks_need_postgresql', 'Webhooks need the service to run on PostgreSQL (DATABASE_URL); this one runs on embedded PGlite. Follow GET /v1/changes instead.')
      return courier
    }
  })
  app.addHook('onReady', async () => { worker?.start() })
  app.addHook('preClose', async () => {
    await worker?.stop()
    outbound?.close()
  })
}, { name: 'webhooks', dependencies: ['database', 'change-feed'] })
