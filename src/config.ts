import { isIP } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import { isWellFormedSecret, WELL_FORMED_SECRET_TEXT } from './access/secret.js'

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal'])

function isAddressOrRange (entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true
  const [address, bits, ...rest] = entry.split('/')
  const family = isIP(address)
  if (!family || rest.length > 0) return false
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128))
}

/**
 * Which peers may tell us the client's address in X-Forwarded-For (Fastify's trustProxy).
 * Unset or `false`: none, the socket's address counts. `true`: any, so the left-most
 * address counts. A comma-separated list of proxy addresses, CIDR ranges or the names
 * loopback, linklocal, uniquelocal: the right-most address not in the list counts.
 * A hop count is refused: Fastify 5.12.1 dropped it, as it lets a client that reaches us
 * directly forge its address.
 */
const TrustProxy = z.string().optional().transform((value, ctx): boolean | string[] => {
  const text = value?.trim() ?? ''
  if (text === '' || text === 'false') return false
  if (text === 'true') return true
  if (/^\d+$/.test(text)) {
    ctx.addIssue({ code: 'custom', message: 'a hop count is not supported (it lets direct clients forge X-Forwarded-For): list the proxies\' addresses or CIDR ranges instead' })
    return z.NEVER
  }
  const entries = text.split(',').map(e => e.trim())
  const wrong = entries.filter(e => !isAddressOrRange(e))
  if (wrong.length > 0) {
    ctx.addIssue({ code: 'custom', message: `not an address, CIDR range or one of loopback, linklocal, uniquelocal: ${wrong.join(', ')}` })
    return z.NEVER
  }
  return entries
})

/** WEBHOOK_ALLOWED_NETWORKS: a comma-separated list of addresses and CIDR ranges. */
const WebhookNetworks = z.string().optional().transform((value, ctx): string[] => {
  const entries = (value ?? '').split(',').map(e => e.trim()).filter(e => e !== '')
  const wrong = entries.filter(e => PROXY_NAMES.has(e) || !isAddressOrRange(e))
  if (wrong.length > 0) {
    ctx.addIssue({ code: 'custom', message: `not an address or CIDR range: ${wrong.join(', ')}` })
    return z.NEVER
  }
  return entries
})

/**
 * DATABASE_REPLICA_URLS: a comma-separated list of PostgreSQL URLs, each a streaming standby
 * of DATABASE_URL's server (src/db/replicas.ts).
 */
const ReplicaUrls = z.string().optional().transform((value, ctx): string[] => {
  const entries = (value ?? '').split(',').map(e => e.trim()).filter(e => e !== '')
  const wrong = entries.filter(e => {
    try {
      return !['postgres:', 'postgresql:'].includes(new URL(e).protocol)
    } catch {
      return true
    }
  })
  if (wrong.length > 0) {
    // Only how many: a URL may carry a password, and this message is logged.
    ctx.addIssue({ code: 'custom', message: `${wrong.length} of the ${entries.length} entries is not a postgres:// URL` })
    return z.NEVER
  }
  return entries
})

// Environment is parsed once, at start-up, so a typo in a variable fails loudly
// instead of surfacing as odd behaviour during an election.
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  // The server itself when DATABASE_URL goes through a transaction-mode pooler (PgBouncer):
  // migrations, LISTEN and imports' liveness locks need a session of their own, and connect
  // here; the pool stays on DATABASE_URL. Its presence is what says a pooler is in between.
  DATABASE_DIRECT_URL: z.string().url().optional(),
  // Read replicas (PostgreSQL only): report and list reads go to one that is no more than
  // REPLICA_MAX_LAG_MS behind the primary, checked every REPLICA_CHECK_MS (README, "Read replicas").
  DATABASE_REPLICA_URLS: ReplicaUrls,
  REPLICA_MAX_LAG_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  REPLICA_CHECK_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  DATA_DIR: z.string().default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  // A global admin key with exactly this secret is ensured at start-up.
  // Refused here rather than accepted and then never matched by the verifier.
  BOOTSTRAP_ADMIN_KEY: z.string().refine(isWellFormedSecret, `BOOTSTRAP_ADMIN_KEY must be ${WELL_FORMED_SECRET_TEXT}`).optional(),
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(6000).describe('requests per key per window'),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1000).default(60_000),
  // Bounds how long a key revoked on another instance keeps working here (promise: under 5 s).
  KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(4500).default(4000),
  // Per kind of work: an API write waits at most LOCK_TIMEOUT_MS for a lock (then 503 with
  // Retry-After) and runs a statement at most STATEMENT_TIMEOUT_MS; imports get the BULK_ ones.
  LOCK_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
  BULK_LOCK_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  BULK_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(30 * 60_000),
  // A connection that sends nothing for this long is closed (a slow but moving upload is
  // not); the headers of a request must arrive within HEADERS_TIMEOUT_MS.
  SOCKET_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
  HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(10_000),
  // Imports running at once: each holds a database connection for its whole run.
  IMPORT_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(3),
  IMPORT_CONCURRENCY_PER_KEY: z.coerce.number().int().min(1).max(100).default(2),
  // Where PGlite's uploads wait on disk before their import begins.
  SPOOL_DIR: z.string().default(tmpdir()),
  // A person mistyping a key needs a few tries and a broken script is told after 20; one
  // address then costs the database at most 20 lookups a minute, and is limited for at
  // most a minute (keys it already uses keep working meanwhile).
  AUTH_FAILURES_MAX: z.coerce.number().int().min(1).default(20).describe('failed authentications per address per window'),
  AUTH_FAILURES_WINDOW_MS: z.coerce.number().int().min(1000).default(60_000),
  TRUST_PROXY: TrustProxy,
  // The change feed: how often committed changes are numbered (the most a change waits
  // to appear, beyond its commit), how long they are kept, and how often an idle event
  // stream says it is alive (proxies' idle limits; at most half SOCKET_IDLE_TIMEOUT_MS).
  CHANGES_SEQUENCE_MS: z.coerce.number().int().min(10).max(10_000).default(100),
  CHANGES_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  CHANGES_HEARTBEAT_MS: z.coerce.number().int().min(50).max(600_000).default(15_000),
  // Webhooks (PostgreSQL only). The key that encrypts signing secrets at rest: 32 bytes as
  // base64; unset, one is generated into DATA_DIR/webhook-key.txt (set it when several
  // instances share a database, or they cannot read each other's secrets).
  WEBHOOK_KEY: z.string().refine(v => Buffer.from(v, 'base64').length === 32, 'WEBHOOK_KEY must be 32 random bytes as base64 (openssl rand -base64 32)').optional(),
  WEBHOOK_WORKER: z.enum(['true', 'false']).default('true').transform(v => v === 'true'),
  // Private and loopback receivers are refused unless listed here (addresses or CIDR
  // ranges); link-local and cloud metadata addresses are refused even if listed.
  WEBHOOK_ALLOWED_NETWORKS: WebhookNetworks,
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  WEBHOOK_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  // Endpoints served at once by one process: a dead receiver holds one slot, not the others.
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(16),
  // Failing deliveries are retried with exponential backoff and jitter for this long
  // (3 days), then the endpoint is disabled; its cursor stays, so resuming it loses nothing.
  WEBHOOK_RETRY_FOR_MS: z.coerce.number().int().min(1_000).default(3 * 24 * 3600_000),
  WEBHOOK_BACKOFF_BASE_MS: z.coerce.number().int().min(10).default(5_000),
  WEBHOOK_BACKOFF_MAX_MS: z.coerce.number().int().min(10).default(3600_000),
  // How long a process holds an endpoint it serves; a process that died frees it after this.
  WEBHOOK_LEASE_MS: z.coerce.number().int().min(500).default(60_000),
  // How often idle workers look for due retries (new changes wake them at once).
  WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(600_000).default(1_000),
  // After a secret rotation, the old secret signs too for this long (24 hours).
  WEBHOOK_ROTATION_GRACE_MS: z.coerce.number().int().min(0).default(24 * 3600_000),
  // Every delivery attempt is logged (GET /v1/webhooks/{id}/deliveries) and kept this long.
  WEBHOOK_DELIVERY_LOG_DAYS: z.coerce.number().int().min(1).max(3650).default(30)
}).refine(e => !e.DATABASE_DIRECT_URL || e.DATABASE_URL,
  { path: ['DATABASE_DIRECT_URL'], message: 'is only for PostgreSQL behind a pooler: set DATABASE_URL (the pooler) too' }
).refine(e => !e.DATABASE_URL || e.IMPORT_CONCURRENCY < e.DB_POOL_MAX,
  { path: ['IMPORT_CONCURRENCY'], message: 'must be below DB_POOL_MAX, or imports could take every connection' })
  // Refused at start-up rather than ignored: whoever set replicas expects the reads to go
  // elsewhere, and PGlite is one embedded database that nothing can stream from.
  .refine(e => e.DATABASE_REPLICA_URLS.length === 0 || e.DATABASE_URL,
    { path: ['DATABASE_REPLICA_URLS'], message: 'read replicas are PostgreSQL only: set DATABASE_URL to the primary, or unset DATABASE_REPLICA_URLS to run on PGlite' })

export type Config = z.infer<typeof Env> & {
  /** PGlite's folder inside DATA_DIR; undefined keeps the database in memory (tests). */
  DATA_DIR_PGLITE?: string
}

export function loadConfig (env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env)
  if (!parsed.success) {
    const fields = parsed.error.issues.map(i => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new Error(`invalid environment: ${fields}`)
  }
  return { ...parsed.data, DATA_DIR_PGLITE: join(parsed.data.DATA_DIR, 'pglite') }
}
