import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import rateLimit from '@fastify/rate-limit'
import accessPlugin from './access/plugin.js'
import { apiKeyRoutes } from './access/routes.js'
import { auditRoutes } from './audit/routes.js'
import changeFeed from './changes/plugin.js'
import { changeRoutes } from './changes/routes.js'
import { coverageRoutes } from './coverage/routes.js'
import { dashboardRoutes } from './dashboard/plugin.js'
import databasePlugin from './db/plugin.js'
import { healthRoutes } from './health/routes.js'
import idempotency from './http/idempotency.js'
import { registerOpenApi } from './http/openapi.js'
import { registerProblemHandlers, sendProblem, toProblem } from './http/problem.js'
import { serializerCompiler } from './http/serializer.js'
import { mayCarryPersonalData } from './scrub.js'
import { importRoutes } from './imports/routes.js'
import { membershipRoutes } from './memberships/routes.js'
import { appointmentRoutes } from './appointments/routes.js'
import { peopleRoutes } from './people/routes.js'
import { roleRoutes } from './roles/routes.js'
import { wingRoutes } from './wings/routes.js'
import { assemblyRoutes } from './assemblies/routes.js'
import { clusterRoutes } from './clusters/routes.js'
import { campRoutes } from './camps/routes.js'
import { complianceRoutes } from './social-media/compliance-routes.js'
import { socialMediaCatalogueRoutes } from './social-media/catalogue-routes.js'
import { unitRoutes } from './units/routes.js'
import webhooksPlugin from './webhooks/plugin.js'
import { webhookRoutes } from './webhooks/routes.js'

export interface AppOptions {
  config: Config
  /** The process logger (server.ts) or a capturing one (tests); silent when absent. */
  logger?: Logger
  /**
   * With no DATABASE_URL and no PGlite folder: start the in-memory database from this dump
   * of a migrated one (dumpPglite in src/db/client.ts) rather than migrate an empty one.
   * Tests use it to migrate once per run; boot still runs the migrations, which find them done.
   */
  pgliteSnapshot?: Blob
}

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * A caller's request id is written on every log line of the request, so it is kept only
 * if it cannot carry personal data: nothing the scrubber would change (not even inside a
 * UUID), and no run of six or more digits (a number cut short or spelt oddly).
 */
export function isTraceableRequestId (id: string): boolean {
  return REQUEST_ID.test(id) && !/\d{6}/.test(id) && !mayCarryPersonalData(id)
}

/**
 * One log line per request, when it completes, with the request (method, scrubbed URL,
 * client), the status and the time taken, as pino-http writes it; its arrival only at
 * debug, to see what is in flight. Fastify's default wrote two lines at info, each through
 * the scrubbing formatters: logging took a quarter of a unit read's throughput.
 */
class RequestLog extends LogController {
  override incomingRequest (request: FastifyRequest) {
    request.log.debug({ req: request }, 'incoming request')
  }

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    const line = { req: request, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime }
    if (error) reply.log.error({ ...line, err: error }, 'request errored')
    else reply.log.info(line, 'request completed')
  }
}

/** Builds a ready-to-listen app; it never listens itself, so tests drive it with inject(). */
export async function buildApp (options: AppOptions): Promise<FastifyInstance> {
  const { config } = options
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger | undefined,
    logger: options.logger ? undefined : false,
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Which peers may name the client's address (X-Forwarded-For): request.ip feeds the
    // failed-authentication limit, so only proxies we run may be believed.
    trustProxy: config.TRUST_PROXY,
    // A caller's X-Request-Id is kept so that a trace spans services; otherwise we mint one.
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && isTraceableRequestId(given) ? given : randomUUID()
    },
    return503OnClosing: true,
    logController: new RequestLog(),
    // A connection silent this long is closed; a request as a whole has no deadline (a slow
    // but moving upload must finish). The headers' own deadline is set on the server below.
    connectionTimeout: config.SOCKET_IDLE_TIMEOUT_MS,
    requestTimeout: 0,
    // Start-up runs migrations, which may take minutes on a large database (an index
    // rebuild) or wait for another instance's: never give up on them half way.
    pluginTimeout: 0,
    ajv: { customOptions: { removeAdditional: false } },
    // Refusals the router makes before any route (a malformed URL, an over-long id) are
    // problems too, through the one handler.
    frameworkErrors: (error, request, reply) => { sendProblem(request, reply, toProblem(error).problem) },
    routerOptions: { maxParamLength: 200 }
  }).withTypeProvider<ZodTypeProvider>()

  app.server.headersTimeout = config.HEADERS_TIMEOUT_MS
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  registerProblemHandlers(app)
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id)
    return payload
  })

  await app.register(databasePlugin, {
    url: config.DATABASE_URL,
    directUrl: config.DATABASE_DIRECT_URL,
    dataDir: config.DATABASE_URL ? undefined : config.DATA_DIR_PGLITE,
    snapshot: config.DATABASE_URL ? undefined : options.pgliteSnapshot,
    poolMax: config.DB_POOL_MAX,
    replicas: { urls: config.DATABASE_REPLICA_URLS, maxLagMs: config.REPLICA_MAX_LAG_MS, checkMs: config.REPLICA_CHECK_MS },
    limits: {
      interactive: { lockTimeoutMs: config.LOCK_TIMEOUT_MS, statementTimeoutMs: config.STATEMENT_TIMEOUT_MS },
      bulk: { lockTimeoutMs: config.BULK_LOCK_TIMEOUT_MS, statementTimeoutMs: config.BULK_STATEMENT_TIMEOUT_MS }
    }
  })
  await app.register(accessPlugin, {
    bootstrapSecret: config.BOOTSTRAP_ADMIN_KEY,
    dataDir: config.DATA_DIR,
    keyCacheTtlMs: config.KEY_CACHE_TTL_MS,
    failures: { max: config.AUTH_FAILURES_MAX, windowMs: config.AUTH_FAILURES_WINDOW_MS }
  })
  // An idle event stream must speak before the socket's idle timeout cuts it.
  await app.register(changeFeed, { sequenceMs: config.CHANGES_SEQUENCE_MS, retentionDays: config.CHANGES_RETENTION_DAYS, heartbeatMs: Math.min(config.CHANGES_HEARTBEAT_MS, Math.floor(config.SOCKET_IDLE_TIMEOUT_MS / 2)) })
  await app.register(webhooksPlugin, {
    key: config.WEBHOOK_KEY,
    dataDir: config.DATA_DIR,
    worker: config.WEBHOOK_WORKER,
    allowedNetworks: config.WEBHOOK_ALLOWED_NETWORKS,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    connectTimeoutMs: config.WEBHOOK_CONNECT_TIMEOUT_MS,
    concurrency: config.WEBHOOK_CONCURRENCY,
    leaseMs: config.WEBHOOK_LEASE_MS,
    pollMs: config.WEBHOOK_POLL_MS,
    batch: 100,
    retryForMs: config.WEBHOOK_RETRY_FOR_MS,
    backoffBaseMs: config.WEBHOOK_BACKOFF_BASE_MS,
    backoffMaxMs: config.WEBHOOK_BACKOFF_MAX_MS,
    rotationGraceMs: config.WEBHOOK_ROTATION_GRACE_MS,
    logDays: config.WEBHOOK_DELIVERY_LOG_DAYS
  })
  await registerOpenApi(app, pkg.version)
  await app.register(idempotency)

  await app.register(healthRoutes)
  // The coverage dashboard (web/): its files and its page; it calls /v1 with the key it is given.
  await app.register(dashboardRoutes)
  // Everything under /v1 needs a key; health and docs do not.
  await app.register(async (v1) => {
    v1.addHook('onRequest', app.authenticate)
    await v1.register(rateLimit, {
      max: config.RATE_LIMIT_MAX,
      timeWindow: config.RATE_LIMIT_WINDOW_MS,
      // Runs after authentication, so the budget is per key.
      keyGenerator: (request) => request.actor?.keyId ?? request.ip,
      errorResponseBuilder: (_request, context) => ({ statusCode: 429, code: 'FST_RATE_LIMITED', message: `Rate limit of ${context.max} requests per ${context.after} exceeded.` })
    })
    await v1.register(unitRoutes)
    await v1.register(assemblyRoutes)
    await v1.register(clusterRoutes)
    await v1.register(campRoutes)
    await v1.register(peopleRoutes)
    await v1.register(membershipRoutes)
    await v1.register(wingRoutes)
    await v1.register(socialMediaCatalogueRoutes)
    await v1.register(roleRoutes)
    await v1.register(complianceRoutes)
    await v1.register(appointmentRoutes)
    await v1.register(coverageRoutes)
    await v1.register(apiKeyRoutes)
    await v1.register(auditRoutes)
    await v1.register(changeRoutes)
    await v1.register(webhookRoutes)
    await v1.register(importRoutes, {
      concurrency: { total: config.IMPORT_CONCURRENCY, perKey: config.IMPORT_CONCURRENCY_PER_KEY },
      spoolDir: config.SPOOL_DIR
    })
  }, { prefix: '/v1' })

  await app.ready()
  return app
}
