import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { DASHBOARD_ROOT } from '../src/dashboard/plugin.js'
import { buildTestApp, call } from './helpers/app.js'

// The page is built at install (npm ci runs prepare, which runs build:web).
const { app } = await buildTestApp(t)

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
