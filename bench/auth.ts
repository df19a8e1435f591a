import { BENCH_KEY, benchApp } from './app.js'
import { fmt, percentile, table, timeRepeated } from './stats.js'

/**
 * What checking a key costs: the cached path every request takes, the database path a
 * cold or expired cache entry takes, and a whole authenticated request beside an
 * unauthenticated one (same app, same run) so the difference is the check itself.
 */
export async function benchAuth () {
  const { app } = await benchApp()
  const secret = BENCH_KEY
  const N = 20_000
  await app.keys.verify(secret)
  const cached = await timeRepeated(N, () => app.keys.verify(secret))
  const cold = await timeRepeated(500, async () => { app.keys.forget((await app.keys.verify(secret) as any).key.id); await app.keys.verify(secret) })
  const open = await timeRepeated(5_000, () => app.inject({ method: 'GET', url: '/health/live' }))
  const authed = await timeRepeated(5_000, () => app.inject({ method: 'GET', url: '/v1/units/00000000-0000-4000-8000-000000000000', headers: { authorization: `Bearer ${secret}` } }))
  table([
    { what: 'verify(), cached key', p50: fmt(percentile(cached, 50)), p95: fmt(percentile(cached, 95)), n: N },
    { what: 'verify(), database lookup', p50: fmt(percentile(cold, 50)), p95: fmt(percentile(cold, 95)), n: 500 },
    { what: 'inject GET /health/live (no key)', p50: fmt(percentile(open, 50)), p95: fmt(percentile(open, 95)), n: 5000 },
    { what: 'inject GET /v1/units/{id} (key, 404)', p50: fmt(percentile(authed, 50)), p95: fmt(percentile(authed, 95)), n: 5000 }
  ])
  await app.close()
}
