import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'

/** The bootstrap admin key of every in-process benchmark app. */
export const BENCH_KEY = 'sg_bench_admin_key_00000000000000000000'

/**
 * The service in this process, as a benchmark drives it: on DATABASE_URL (or `url`), silent, with
 * the bootstrap admin key and no rate limit to speak of; listening on a free port when
 * asked (for requests over HTTP), otherwise for app.inject only.
 */
export async function benchApp (options: { listen?: boolean, url?: string } = {}) {
  const config = { ...loadConfig({ LOG_LEVEL: 'silent', BOOTSTRAP_ADMIN_KEY: BENCH_KEY, RATE_LIMIT_MAX: '100000000', DATABASE_URL: options.url ?? process.env.DATABASE_URL }), DATA_DIR_PGLITE: undefined }
  const app = await buildApp({ config })
  let base = ''
  if (options.listen) {
    await app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  }
  return { app, base, headers: { authorization: `Bearer ${BENCH_KEY}` } }
}
