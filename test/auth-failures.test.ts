import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { loadConfig } from '../src/config.js'
import { buildTestApp, call, mintKey } from './helpers/app.js'

// Five failures a minute per address, so a test reaches the limit in a few requests.
const { app, logs } = await buildTestApp(t, { AUTH_FAILURES_MAX: '5', AUTH_FAILURES_WINDOW_MS: '60000', RATE_LIMIT_MAX: '1000', KEY_CACHE_TTL_MS: '1000' })

const unknownSecret = () => 'sg_' + randomBytes(32).toString('base64url')
const from = (target: FastifyInstance, remoteAddress: string, secret: string | null, headers: Record<string, string> = {}) =>
  call(target, { method: 'GET', url: '/v1/units', remoteAddress, headers }, secret)

t.test('failures from one address reach 429 with Retry-After; another address is unaffected', async (t) => {
  const tries = [unknownSecret(), 'too-short', null, unknownSecret(), 'sg_' + 'x'.repeat(300)]
  const codes = ['invalid_key', 'malformed_key', 'missing_credentials', 'invalid_key', 'malformed_key']
  for (const [i, secret] of tries.entries()) {
    const res = await from(app, '10.0.0.1', secret)
    t.equal(res.status, 401, `failure ${i + 1} is a 401`)
    t.equal(res.json.code, codes[i])
    t.equal(res.headers['x-ratelimit-limit'], '5')
    t.equal(res.headers['x-ratelimit-remaining'], String(4 - i), `${4 - i} failures left`)
    t.ok(Number(res.headers['x-ratelimit-reset']) > 0)
  }
  t.ok(logs.some(l => l.msg === 'an address reached its limit of failed authentications'), 'reaching the limit is logged')

  const lookups = app.keys.stats.lookups
  const over = await from(app, '10.0.0.1', unknownSecret())
  t.equal(over.status, 429)
  t.equal(over.json.code, 'too_many_failed_authentications')
  t.match(over.headers['content-type'], /application\/problem\+json/)
  const retryAfter = Number(over.headers['retry-after'])
  t.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter} s, within the window`)
  t.equal(over.headers['x-ratelimit-remaining'], '0')
  t.equal((await from(app, '10.0.0.1', null)).status, 429, 'no key at all: 429 too')
  t.equal((await from(app, '10.0.0.1', 'short')).status, 429, 'a malformed key: 429 too')
  t.equal(app.keys.stats.lookups, lookups, 'an address over the limit costs the database nothing')

  const other = await from(app, '10.0.0.2', unknownSecret())
  t.equal(other.status, 401, 'another address has its own budget')
  t.equal(other.headers['x-ratelimit-remaining'], '4')
  t.equal((await from(app, '10.0.0.2', null)).status, 401)
})

t.test('a valid key from a limited address: keys already in use keep working', async (t) => {
  const inUse = await mintKey(app, 'reader')
  t.equal((await from(app, '10.0.0.3', inUse)).status, 200, 'the office\'s script uses its key')
  for (let i = 0; i < 5; i++) await from(app, '10.0.0.3', unknownSecret()) // a broken script next to it
  t.equal((await from(app, '10.0.0.3', unknownSecret())).status, 429, 'the address is limited')
  const ok = await from(app, '10.0.0.3', inUse)
  t.equal(ok.status, 200, 'the key in use still works from the limited address')
  t.equal(ok.headers['x-ratelimit-limit'], '1000', 'and carries its per-key budget, not the failure budget')
  await new Promise(resolve => setTimeout(resolve, 1_100)) // past KEY_CACHE_TTL_MS: the answer is stale
  const lookups = app.keys.stats.lookups
  t.equal((await from(app, '10.0.0.3', inUse)).status, 200, 'a stale cached key is checked again, not refused')
  t.equal(app.keys.stats.lookups, lookups + 1)

  const fresh = await mintKey(app, 'reader')
  const afterMint = app.keys.stats.lookups
  const newcomer = await from(app, '10.0.0.3', fresh)
  t.equal(newcomer.status, 429, 'a key this instance has not seen waits out the window: telling it from a guess would take a query')
  t.equal(app.keys.stats.lookups, afterMint, 'and it was not looked up')
  t.equal((await from(app, '10.0.0.4', fresh)).status, 200, 'from another address it works')
  t.equal((await from(app, '10.0.0.3', fresh)).status, 200, 'and once known here, from the limited address too')
})

t.test('malformed secrets never reach the database', async (t) => {
  const lookups = app.keys.stats.lookups
  const codes = new Set<string>()
  for (let i = 0; i < 300; i++) {
    const secret = i % 3 === 0 ? 'x'.repeat(1 + i % 19) : i % 3 === 1 ? 'sg_' + 'y'.repeat(200 + i) : `sg_with space ${i}_000000000000`
    // Each from its own address, so the answer is the 401 itself and not the limit.
    codes.add((await from(app, `10.1.${i >> 8}.${i & 255}`, secret)).json.code)
  }
  t.same([...codes], ['malformed_key'])
  t.equal(app.keys.stats.lookups, lookups, '300 malformed secrets, no lookup')
  await from(app, '10.2.0.1', unknownSecret())
  t.equal(app.keys.stats.lookups, lookups + 1, 'a well-formed one is looked up')
})

t.test('without TRUST_PROXY, X-Forwarded-For is ignored', async (t) => {
  for (let i = 0; i < 5; i++) {
    const res = await from(app, '10.0.0.5', unknownSecret(), { 'x-forwarded-for': `198.51.100.${i}` })
    t.equal(res.status, 401)
  }
  const res = await from(app, '10.0.0.5', unknownSecret(), { 'x-forwarded-for': '198.51.100.99' })
  t.equal(res.status, 429, 'a forged X-Forwarded-For does not buy a fresh budget')
})

t.test('with TRUST_PROXY, X-Forwarded-For names the client behind a trusted proxy', async (t) => {
  const { app: proxied } = await buildTestApp(t, { AUTH_FAILURES_MAX: '2', AUTH_FAILURES_WINDOW_MS: '1000', TRUST_PROXY: '10.9.0.0/16' })
  const viaProxy = (client: string, secret: string | null) => from(proxied, '10.9.0.1', secret, { 'x-forwarded-for': client })
  t.equal((await viaProxy('203.0.113.7', unknownSecret())).status, 401)
  t.equal((await viaProxy('203.0.113.7', unknownSecret())).status, 401)
  t.equal((await viaProxy('203.0.113.7', unknownSecret())).status, 429, 'the client behind the proxy is limited')
  t.equal((await viaProxy('203.0.113.8', unknownSecret())).status, 401, 'another client behind the same proxy is not')
  const chain = await from(proxied, '10.9.0.1', unknownSecret(), { 'x-forwarded-for': '192.0.2.1, 203.0.113.7, 10.9.0.2' })
  t.equal(chain.status, 429, 'the right-most address that is not a trusted proxy counts, whatever the client prepends')

  // A peer that is not a trusted proxy cannot name another address.
  t.equal((await from(proxied, '198.51.100.1', unknownSecret(), { 'x-forwarded-for': '203.0.113.50' })).status, 401)
  t.equal((await from(proxied, '198.51.100.1', unknownSecret(), { 'x-forwarded-for': '203.0.113.51' })).status, 401)
  t.equal((await from(proxied, '198.51.100.1', unknownSecret(), { 'x-forwarded-for': '203.0.113.52' })).status, 429, 'counted against the peer itself')

  await new Promise(resolve => setTimeout(resolve, 1_100))
  const later = await viaProxy('203.0.113.7', unknownSecret())
  t.equal(later.status, 401, 'when the window ends the address starts afresh')
  t.equal(later.headers['x-ratelimit-remaining'], '1')
})

t.test('TRUST_PROXY: what it accepts', async (t) => {
  t.equal(loadConfig({}).TRUST_PROXY, false, 'unset: trust no proxy')
  t.equal(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY, false)
  t.equal(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY, true)
  t.same(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.10,::1, fd00::/8,loopback' }).TRUST_PROXY, ['10.0.0.0/8', '192.168.1.10', '::1', 'fd00::/8', 'loopback'])
  t.throws(() => loadConfig({ TRUST_PROXY: '1' }), /hop count is not supported/)
  t.throws(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' }), /10\.0\.0\.0\/33/)
  t.throws(() => loadConfig({ TRUST_PROXY: 'proxy.internal' }), /proxy\.internal/)
  t.throws(() => loadConfig({ BOOTSTRAP_ADMIN_KEY: 'a secret with spaces in it' }), /BOOTSTRAP_ADMIN_KEY must be 20 to 200 visible ASCII/)
})
