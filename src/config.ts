import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'

// Environment is parsed once, at start-up, so a typo in a variable fails loudly
// instead of surfacing as odd behaviour during an election.
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  // A global admin key with exactly this secret is ensured at start-up.
  BOOTSTRAP_ADMIN_KEY: z.string().min(20, 'BOOTSTRAP_ADMIN_KEY must be at least 20 characters').optional(),
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
  SPOOL_DIR: z.string().default(tmpdir())
}).refine(e => !e.DATABASE_URL || e.IMPORT_CONCURRENCY < e.DB_POOL_MAX,
  { path: ['IMPORT_CONCURRENCY'], message: 'must be below DB_POOL_MAX, or imports could take every connection' })

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
