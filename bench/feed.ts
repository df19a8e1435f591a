import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { sql, TransactionRollbackError } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { headOfChanges } from '../src/changes/queries.js'
import { loadConfig } from '../src/config.js'
import { rows } from '../src/db/client.js'
import { adminQuery } from './postgres.js'
import { percentile, table } from './stats.js'

/**
 * The change feed (GET /v1/changes), in process (app.inject: no HTTP sockets), on the
 * database in DATABASE_URL (a database of its own, made and dropped here) or in-memory
 * PGlite:
 *
 *   1. throughput, BENCH_ROUNDS rounds (default 3) of BENCH_CHANGES changes (default
 *      100,000; 20,000 on PGlite): written in one set-based statement as an import writes
 *      its audit records (so through the trigger into the outbox), numbered by the
 *      server's own sequencer loop, then read back page by page (500 a page) as a
 *      consumer would; changes per second for each step and end to end;
 *   2. latency, BENCH_SAMPLES writes (default 50): a long-poll waits, a unit is created
 *      through the API, and the time from the write's answer (its commit) to the
 *      long-poll's answer is taken; on PostgreSQL, the same writes' webhook deliveries
 *      too (a webhook for unit.* to a receiver on 127.0.0.1), from the commit to the
 *      receiver's getting it: the long-poll is the baseline.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench -- feed
 */
const ON_POSTGRES = Boolean(process.env.DATABASE_URL)
const CHANGES = Number(process.env.BENCH_CHANGES ?? (ON_POSTGRES ? 100_000 : 20_000))
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 50)
const DB_NAME = 'sangathan_bench_feed'
const KEY = 'sg_bench_feed_admin_key_00000000000000000'
const PAGE = 500

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9

export async function benchFeed () {
  let url: string | undefined
  if (process.env.DATABASE_URL) {
    const u = new URL(process.env.DATABASE_URL)
    u.pathname = `/${DB_NAME}`
    url = u.toString()
    await adminQuery(process.env.DATABASE_URL, `DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`)
    await adminQuery(process.env.DATABASE_URL, `CREATE DATABASE ${DB_NAME}`)
  }
  const config = { ...loadConfig({ LOG_LEVEL: 'silent', BOOTSTRAP_ADMIN_KEY: KEY, RATE_LIMIT_MAX: '100000000', WEBHOOK_KEY: randomBytes(32).toString('base64'), WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32', ...(url ? { DATABASE_URL: url } : {}) }), DATA_DIR_PGLITE: undefined }
  const app = await buildApp({ config })
  try {
    console.log(`throughput: ${ROUNDS} rounds of ${CHANGES.toLocaleString('en')} changes; sequencer every ${config.CHANGES_SEQUENCE_MS} ms`)
    const results: Array<Record<string, number>> = []
    for (let r = 0; r < ROUNDS; r++) results.push(await throughput(app, r))
    const median = (key: string) => percentile(results.map(x => x[key]), 50)
    table([...results.map((x, i) => ({ round: String(i + 1), ...format(x) })), { round: 'median', ...format(Object.fromEntries(Object.keys(results[0]).map(k => [k, median(k)]))) }])

    console.log(`\nlatency: ${SAMPLES} writes of each kind, each awaited by a long-poll`)
    const delays = await latency(app)
    const ms = (samples: number[], p: number) => `${percentile(samples, p).toFixed(1)} ms`
    table([
      { write: 'SQL from elsewhere: commit → long-poll answers', p50: ms(delays.elsewhere, 50), p95: ms(delays.elsewhere, 95), max: ms(delays.elsewhere, 100) },
      { write: 'API write here: request → long-poll answers', p50: ms(delays.api, 50), p95: ms(delays.api, 95), max: ms(delays.api, 100) },
      { write: 'API write here: the request alone', p50: ms(delays.apiWrite, 50), p95: ms(delays.apiWrite, 95), max: ms(delays.apiWrite, 100) },
      ...(ON_POSTGRES
        ? [
            { write: 'SQL from elsewhere: commit → webhook received', p50: ms(delays.webhookElsewhere, 50), p95: ms(delays.webhookElsewhere, 95), max: ms(delays.webhookElsewhere, 100) },
            { write: 'API write here: request → webhook received', p50: ms(delays.webhookApi, 50), p95: ms(delays.webhookApi, 95), max: ms(delays.webhookApi, 100) }
          ]
        : [])
    ])
  } finally {
    await app.close()
    if (process.env.DATABASE_URL) await adminQuery(process.env.DATABASE_URL, `DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`)
  }
}

function format (x: Record<string, number>) {
  const rate = (n: number) => `${Math.round(n).toLocaleString('en')}/s`
  return { 'audit only': rate(x.bare), 'audit + outbox': rate(x.write), number: rate(x.number), read: rate(x.read), 'end to end': rate(x.total) }
}

async function throughput (app: FastifyInstance, round: number): Promise<Record<string, number>> {
  const state = await inject(app, 'POST', '/v1/units', { level: 'state', code: `BF${round}`, name: `Bench state ${round}` })
  const from = (await inject(app, 'GET', '/v1/changes?after=latest')).nextCursor as string
  const insert = sql`
    INSERT INTO audit_log (request_id, action, entity_type, entity_id, unit_id, unit_path, after)
    SELECT 'bench', 'import', 'person', gen_random_uuid()::text, u.id, u.path,
           jsonb_build_object('importId', gen_random_uuid(), 'line', g, 'person', 'created', 'membership', 'created')
      FROM generate_series(1, ${CHANGES}::integer) g CROSS JOIN units u WHERE u.id = ${state.id}::uuid`
  // The same records without the outbox's trigger, rolled back: what the feed adds to a write.
  const bare = process.hrtime.bigint()
  await app.db.transaction(async (tx) => {
    await tx.execute(sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_publish_changes`)
    await tx.execute(insert)
    tx.rollback()
  }).catch((err) => { if (!(err instanceof TransactionRollbackError)) throw err })
  const bareSeconds = seconds(bare)
  const start = process.hrtime.bigint()
  await rows(app.db, insert)
  const written = seconds(start)
  const target = await pendingTop(app)
  while (await headOfChanges(app.db) < target) await new Promise(resolve => setTimeout(resolve, 10))
  const numbered = seconds(start) - written
  let cursor = from
  let read = 0
  const readStart = process.hrtime.bigint()
  for (;;) {
    const page = await inject(app, 'GET', `/v1/changes?after=${cursor}&limit=${PAGE}`)
    read += page.items.length
    cursor = page.nextCursor
    if (page.items.length < PAGE) break
  }
  const reading = seconds(readStart)
  if (read < CHANGES) throw new Error(`read ${read} changes, wrote ${CHANGES}`)
  return { bare: CHANGES / bareSeconds, write: CHANGES / written, number: CHANGES / numbered, read: read / reading, total: CHANGES / seconds(start) }
}

/** How many positions the rows just written will take, above the head: their count. */
async function pendingTop (app: FastifyInstance): Promise<number> {
  const [row] = await rows<{ n: number }>(app.db, sql`SELECT count(*)::int AS n FROM changes WHERE position IS NULL`)
  return (await headOfChanges(app.db)) + Number(row.n)
}

/**
 * Two kinds of write: one made elsewhere (a plain SQL statement, as another process or an
 * import committing), which only the sequencer's tick numbers; and an API write on this
 * process, numbered at once when it is answered. Both timed to the long-poll's answer.
 */
async function latency (app: FastifyInstance) {
  const [{ id: stateId }] = await rows<{ id: string }>(app.db, sql`SELECT id FROM units WHERE code = 'BF0' AND parent_id IS NULL`)
  const out = { elsewhere: [] as number[], api: [] as number[], apiWrite: [] as number[], webhookElsewhere: [] as number[], webhookApi: [] as number[] }
  const receiver = ON_POSTGRES ? await webhookReceiver(app) : undefined
  try {
    for (let i = 0; i < SAMPLES; i++) await sample(i)
  } finally {
    await receiver?.close()
  }
  return out

  async function sample (i: number) {
    for (const kind of ['elsewhere', 'api'] as const) {
      const delivered = receiver?.next()
      const from = (await inject(app, 'GET', '/v1/changes?after=latest')).nextCursor as string
      const polled = inject(app, 'GET', `/v1/changes?after=${from}&wait=10`).then(page => {
        if (page.items.length === 0) throw new Error('the long-poll ran out of time')
        return process.hrtime.bigint()
      })
      while (app.changeFeed.signal.waiting === 0) await new Promise(resolve => setImmediate(resolve))
      const start = process.hrtime.bigint()
      if (kind === 'elsewhere') {
        await rows(app.db, sql`INSERT INTO audit_log (request_id, action, entity_type, entity_id, unit_id, unit_path)
          SELECT 'bench', 'update', 'unit', id::text, id, path FROM units WHERE id = ${stateId}::uuid`)
        const committed = process.hrtime.bigint()
        out.elsewhere.push(Number((await polled) - committed) / 1e6)
        if (delivered) out.webhookElsewhere.push(Number((await delivered) - committed) / 1e6)
      } else {
        await inject(app, 'POST', '/v1/units', { level: 'district', parentId: stateId, code: `L${i}`, name: `Latency ${i}` })
        out.apiWrite.push(Number(process.hrtime.bigint() - start) / 1e6)
        out.api.push(Number((await polled) - start) / 1e6)
        if (delivered) out.webhookApi.push(Number((await delivered) - start) / 1e6)
      }
    }
  }
}

/** A receiver on 127.0.0.1 answering 200 at once, and a webhook for unit.* pointing at it. */
async function webhookReceiver (app: FastifyInstance) {
  let waiting: ((at: bigint) => void) | undefined
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const at = process.hrtime.bigint()
      res.end()
      waiting?.(at)
      waiting = undefined
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  await inject(app, 'POST', '/v1/webhooks', { url: `http://127.0.0.1:${port}/hook`, types: ['unit.*'] })
  return {
    /** When the next delivery arrives. */
    next: () => new Promise<bigint>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no webhook delivery within 10 s')), 10_000)
      waiting = (at) => { clearTimeout(timer); resolve(at) }
    }),
    close: async () => {
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  }
}

async function inject (app: FastifyInstance, method: 'GET' | 'POST', url: string, payload?: unknown) {
  const res = await app.inject({ method, url, payload: payload as object, headers: { authorization: `Bearer ${KEY}` } })
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}
