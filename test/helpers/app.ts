import { Writable } from 'node:stream'
import type { FastifyInstance, InjectOptions } from 'fastify'
import pino from 'pino'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { loggerOptions } from '../../src/logger.js'
import { databaseEnv, freshDatabaseUrl, migratedDatabaseUrl, pgliteSnapshot } from './database.js'

interface Teardown { teardown (fn: () => unknown): void }

export { databaseEnv, directUrl, freshDatabaseUrl, usingPooler, usingPostgres } from './database.js'

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
 * new, migrated database (test/helpers/database.ts); `empty` starts from an empty one, so
 * that boot runs every migration; `databaseUrl` or `pgliteDir` opens an existing one.
 */
export async function buildTestApp (t: Teardown, env: Record<string, string> = {}, on: { databaseUrl?: string, pgliteDir?: string, empty?: boolean } = {}): Promise<TestApp> {
  const existing = on.databaseUrl !== undefined || on.pgliteDir !== undefined
  const databaseUrl = existing ? on.databaseUrl : on.empty ? await freshDatabaseUrl(t) : await migratedDatabaseUrl(t)
  const pgliteSnapshotBlob = existing || on.empty || databaseUrl ? undefined : await pgliteSnapshot()
  const logs: Array<Record<string, unknown>> = []
  const sink = new Writable({
    write (chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line))
      cb()
    }
  })
  const config = loadConfig({ LOG_LEVEL: 'info', BOOTSTRAP_ADMIN_KEY: ADMIN_KEY, ...(databaseUrl ? databaseEnv(databaseUrl) : {}), ...env })
  // No DATA_DIR for tests: PGlite stays in memory, unless a folder is given.
  config.DATA_DIR_PGLITE = on.pgliteDir
  const logger = pino(loggerOptions(config.LOG_LEVEL), sink)
  const app = await buildApp({ config, logger, pgliteSnapshot: pgliteSnapshotBlob })
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
