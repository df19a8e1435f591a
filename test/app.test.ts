import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { DASHBOARD_ROOT } from '../src/dashboard/plugin.js'
import { ADMIN_KEY, buildTestApp, call, databaseEnv, freshDatabaseUrl } from './helpers/app.js'
import { startProxy } from './helpers/proxy.js'

const { app, logs } = await buildTestApp(t)

t.test('health', async (t) => {
  const live = await call(app, { method: 'GET', url: '/health/live' })
  t.equal(live.status, 200)
  t.same(live.json, { status: 'ok' })
  const ready = await call(app, { method: 'GET', url: '/health/ready' })
  t.equal(ready.status, 200)
  t.equal(ready.json.database, process.env.DATABASE_URL ? 'postgres' : 'pglite')
})

t.test('docs and the OpenAPI document', async (t) => {
  const docs = await call(app, { method: 'GET', url: '/docs' })
  t.equal(docs.status, 200, 'Swagger UI is served')
  t.match(docs.headers['content-type'], /text\/html/)
  t.match(docs.body, /swagger/i)

  const served = await call(app, { method: 'GET', url: '/openapi.json' })
  t.equal(served.status, 200)
  t.equal(served.json.openapi, '3.1.0')
  t.ok(served.json.paths['/v1/units/{id}/move'], 'routes are documented')
  t.ok(served.json.components.schemas.Unit, 'schemas are shared components')
  t.ok(served.json.paths['/v1/units'].post.responses['409'].content['application/problem+json'], 'errors documented as problem+json')

  const { paths } = served.json
  const refs = (op: { parameters?: Array<{ $ref?: string }> }) => (op.parameters ?? []).map(p => p.$ref)
  t.same(paths['/v1/imports/booth-presidents'].post.requestBody.content['text/csv'].schema, { type: 'string', format: 'binary' }, 'an import takes the file as its body')
  t.ok(paths['/v1/units/{id}/gaps'].get.responses['200'].content['text/csv'], 'an operation that can answer CSV says so')
  t.ok(refs(paths['/v1/units'].post).includes('#/components/parameters/IdempotencyKey'), 'POST takes Idempotency-Key')
  t.notOk(refs(paths['/v1/imports/units'].post).includes('#/components/parameters/IdempotencyKey'), 'but not where the plugin does not cache')
  t.ok(refs(paths['/v1/units/{id}/move'].post).includes('#/components/parameters/IfMatch'), 'move takes If-Match')
  t.ok(refs(paths['/v1/imports/units'].post).includes('#/components/parameters/Prefer'), 'imports take Prefer')
  t.ok(paths['/v1/units/{id}'].get.responses['200'].headers.ETag, 'a versioned resource answers with its ETag')
  t.ok(paths['/v1/people'].post.responses['201'].headers.Location, 'a 201 says where')
  t.ok(paths['/health/live'].get.responses['200'].headers['X-Request-Id'], 'every response has X-Request-Id')
  t.same(served.json.components.securitySchemes.apiKey, { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' })
  const security = Object.entries(paths as Record<string, Record<string, { security: unknown }>>)
    .flatMap(([path, ops]) => Object.values(ops).map(op => [path.startsWith('/v1/'), JSON.stringify(op.security)]))
  t.same(new Set(security.filter(([v1]) => v1).map(([, s]) => s)), new Set(['[{"apiKey":[]}]']), 'every /v1 operation needs the bearer key')
  t.same(new Set(security.filter(([v1]) => !v1).map(([, s]) => s)), new Set(['[]']), 'and nothing else does')
  t.same(served.json.servers, [{ url: '/', description: 'The service that serves this document' }])

  const committed = JSON.parse(readFileSync(new URL('../openapi/openapi.json', import.meta.url), 'utf8'))
  t.same(committed, served.json, 'openapi/openapi.json is up to date: run `npm run openapi` and commit it')
})

t.test('request ids: echoed, accepted from the caller, on every log line', async (t) => {
  const mine = await call(app, { method: 'GET', url: '/health/live', headers: { 'x-request-id': 'trace-abc.123' } })
  t.equal(mine.headers['x-request-id'], 'trace-abc.123')
  const bogus = await call(app, { method: 'GET', url: '/health/live', headers: { 'x-request-id': 'has spaces and <tags>' } })
  t.not(bogus.headers['x-request-id'], 'has spaces and <tags>', 'an unsafe id is replaced')
  await call(app, { method: 'GET', url: '/v1/units/6a0b2a44-2b51-4c77-9d7b-2a8f3b1f0c11' })
  const requestLines = logs.filter(l => l.req || l.res)
  t.ok(requestLines.length >= 6)
  t.ok(requestLines.every(l => typeof l.reqId === 'string'), 'every request log line has reqId')
  t.ok(logs.some(l => l.reqId === 'trace-abc.123'))
})

t.test('the Authorization header never reaches the log', async (t) => {
  await call(app, { method: 'GET', url: '/health/live', headers: { authorization: 'Bearer super-secret-value' } })
  t.notMatch(JSON.stringify(logs), /super-secret-value/)
})

async function expectUnavailable (t: Test, app: FastifyInstance) {
  const ready = await call(app, { method: 'GET', url: '/health/ready' })
  t.equal(ready.status, 503)
  t.equal(ready.json.code, 'database_unavailable')
  const read = await call(app, { method: 'GET', url: '/v1/units' })
  t.equal(read.status, 503)
  t.equal(read.json.code, 'database_unavailable')
  t.ok(read.headers['retry-after'])
  const write = await call(app, { method: 'POST', url: '/v1/units', payload: { level: 'state', code: 'X', name: 'x' } })
  t.equal(write.status, 503)
  t.match(write.headers['content-type'], /application\/problem\+json/)
  t.notMatch(write.body, /pool|pglite|ECONN|stack/i, 'no internals in the problem')
}

t.test('an unreachable database is a 503 problem, never a 500', { skip: Boolean(process.env.DATABASE_URL) && 'PGlite only' }, async (t) => {
  const { app: doomed } = await buildTestApp(t)
  await doomed.database.close()
  await expectUnavailable(t, doomed)
})

t.test('PostgreSQL cut off and back: 503 while down, served again after', { skip: !process.env.DATABASE_URL && 'PostgreSQL only' }, async (t) => {
  const dbUrl = await freshDatabaseUrl(t)
  const proxy = await startProxy(new URL(dbUrl!))
  t.teardown(proxy.close)
  const app = await buildApp({ config: { ...loadConfig({ ...databaseEnv(dbUrl), DATABASE_URL: proxy.url, LOG_LEVEL: 'silent', BOOTSTRAP_ADMIN_KEY: ADMIN_KEY, KEY_CACHE_TTL_MS: '0' }), DATA_DIR_PGLITE: undefined } })
  t.teardown(() => app.close())
  t.equal((await call(app, { method: 'GET', url: '/v1/units' })).status, 200)
  proxy.cut()
  await expectUnavailable(t, app)
  proxy.restore()
  const back = await call(app, { method: 'GET', url: '/health/ready' })
  t.equal(back.status, 200, 'the pool reconnects by itself')
  t.equal((await call(app, { method: 'POST', url: '/v1/units', payload: { level: 'state', code: 'BACK', name: 'Back' } })).status, 201)
})

t.test('the dashboard page', async (t) => {
  // The page is built at install (npm ci runs prepare, which runs build:web).
  t.test('the page answers at / and at the app\'s own routes, under a strict CSP', async (t) => {
    for (const url of ['/', '/search?q=x', '/units/01a2340d-0c78-703d-b2cb-ed7ce1453a3e', '/units/01a2340d-0c78-703d-b2cb-ed7ce1453a3e/gaps?role=bla']) {
      const res = await call(app, { method: 'GET', url }, null)
      t.equal(res.status, 200, url)
      t.match(res.headers['content-type'], /^text\/html/)
      t.equal(res.headers['cache-control'], 'no-cache', 'the page is revalidated, so a new build shows')
      const csp = String(res.headers['content-security-policy'])
      t.match(csp, /default-src 'none'/)
      t.match(csp, /script-src 'self'(;|$)/)
      t.match(csp, /frame-ancestors 'none'/)
      t.notMatch(csp, /unsafe|\*|https?:/)
      t.equal(res.headers['referrer-policy'], 'no-referrer')
      t.notMatch(res.body, /<script>|<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script')
    }
  })

  t.test('its files are cached for good (their names carry their hash); the API, docs and health are not the page', async (t) => {
    const asset = readdirSync(join(DASHBOARD_ROOT, 'assets')).find(f => f.endsWith('.js'))!
    const res = await call(app, { method: 'GET', url: `/assets/${asset}` }, null)
    t.equal(res.status, 200)
    t.match(res.headers['cache-control'], /max-age=31536000.*immutable|immutable.*max-age=31536000/)
    t.match(res.headers['content-type'], /javascript/)
    t.equal((await call(app, { method: 'GET', url: '/assets/nope.js' }, null)).status, 404)
    t.equal((await call(app, { method: 'GET', url: '/v1/units' }, null)).status, 401)
    t.equal((await call(app, { method: 'GET', url: '/v1/nothing-here' })).status, 404)
    const health = await call(app, { method: 'GET', url: '/health/live' }, null)
    t.equal(health.headers['content-security-policy'], undefined)
    t.equal((await call(app, { method: 'GET', url: '/elsewhere' }, null)).status, 404, 'not every path is the page')
  })
})
