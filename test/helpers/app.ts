import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import type { FastifyInstance, InjectOptions } from 'fastify'
import pg from 'pg'
import pino from 'pino'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { loggerOptions } from '../../src/logger.js'

interface Teardown { teardown (fn: () => unknown): void }

export const usingPostgres = Boolean(process.env.DATABASE_URL)

/**
 * A fresh, empty database for one test file: a new PostgreSQL database on the server in
 * DATABASE_URL (so parallel files never share state), or an in-memory PGlite.
 */
export async function freshDatabaseUrl (t: Teardown): Promise<string | undefined> {
  const base = process.env.DATABASE_URL
  if (!base) return undefined
  const name = `sangathan_t_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  t.teardown(async () => {
    const c = new pg.Client({ connectionString: base })
    await c.connect()
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await c.end()
  })
  const url = new URL(base)
  url.pathname = `/${name}`
  return url.toString()
}

/** The global admin key every test app is bootstrapped with (BOOTSTRAP_ADMIN_KEY). */
export const ADMIN_KEY = 'sg_test_bootstrap_admin_key_0123456789'

export interface TestApp {
  app: FastifyInstance
  databaseUrl?: string
  /** Every log line the app wrote, parsed. */
  logs: Array<Record<string, unknown>>
}

/**
 * One app per test file: PGlite takes seconds to boot, so tests share it. By default on a
 * fresh database; `on` opens an existing one instead (a PostgreSQL URL or a PGlite folder).
 */
export async function buildTestApp (t: Teardown, env: Record<string, string> = {}, on: { databaseUrl?: string, pgliteDir?: string } = {}): Promise<TestApp> {
  const databaseUrl = on.databaseUrl ?? (on.pgliteDir ? undefined : await freshDatabaseUrl(t))
  const logs: Array<Record<string, unknown>> = []
  const sink = new Writable({
    write (chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line))
      cb()
    }
  })
  const config = loadConfig({ LOG_LEVEL: 'info', BOOTSTRAP_ADMIN_KEY: ADMIN_KEY, ...env, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) })
  // No DATA_DIR for tests: PGlite stays in memory, unless a folder is given.
  config.DATA_DIR_PGLITE = on.pgliteDir
  const logger = pino(loggerOptions(config.LOG_LEVEL), sink)
  const app = await buildApp({ config, logger })
  t.teardown(() => app.close())
  return { app, databaseUrl, logs }
}

/**
 * inject() as the bootstrap admin unless another key is given (null: no key at all);
 * `json` is the parsed body, undefined when empty.
 */
export async function call (app: FastifyInstance, opts: InjectOptions, key: string | null = ADMIN_KEY) {
  const headers: Record<string, string> = { ...(opts.headers as Record<string, string> | undefined) }
  if (key !== null && headers.authorization === undefined) headers.authorization = `Bearer ${key}`
  const res = await app.inject({ ...opts, headers })
  let json: any
  try { json = res.body ? JSON.parse(res.body) : undefined } catch { json = undefined }
  return { status: res.statusCode, headers: res.headers, body: res.body, json }
}

/** Mints a key through the API (as the bootstrap admin unless `by` is given) and returns its secret. */
export async function mintKey (app: FastifyInstance, role: string, scopeUnitId?: string | null, extra: Record<string, unknown> = {}, by: string = ADMIN_KEY): Promise<string> {
  const res = await call(app, { method: 'POST', url: '/v1/api-keys', payload: { role, label: `${role} test key`, ...(scopeUnitId ? { scopeUnitId } : {}), ...extra } }, by)
  if (res.status !== 201) throw new Error(`mintKey ${role}: ${res.status} ${res.body}`)
  return res.json.key
}
