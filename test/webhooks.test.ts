import { sql } from 'drizzle-orm'
import { Webhook } from 'standardwebhooks'
import t from 'tap'
import { AddressPolicy, Outbound } from '../src/webhooks/outbound.js'
import { ADMIN_KEY, buildTestApp, call, mintKey, usingPostgres } from './helpers/app.js'
import { Receiver, until, WEBHOOK_ENV, type Received } from './helpers/webhooks.js'
import { createChain, createUnit } from './helpers/tree.js'

const { app, logs } = await buildTestApp(t, WEBHOOK_ENV)

async function receiver (t: { teardown (fn: () => unknown): void }) {
  const r = new Receiver()
  await r.open()
  t.teardown(() => r.close())
  return r
}

async function createWebhook (body: Record<string, unknown>, key = ADMIN_KEY) {
  return call(app, { method: 'POST', url: '/v1/webhooks', payload: body }, key)
}

/** The delivery verifies with this secret (standardwebhooks, as a receiver would check it). */
function verifies (secret: string, r: Received): boolean {
  try {
    new Webhook(secret).verify(r.body, r.headers)
    return true
  } catch {
    return false
  }
}

t.test('outbound safety: addresses refused whatever the configuration says', async (t) => {
  const open = new AddressPolicy(['169.254.0.0/16', 'fe80::/10', '10.0.0.0/8', 'fd00::/8', '127.0.0.1'])
  for (const address of ['169.254.169.254', '169.254.1.1', 'fe80::1', 'fd00:ec2::254', '::ffff:169.254.169.254']) {
    t.match(open.refusal(address), /link-local or cloud metadata/, `${address} never, even when listed`)
  }
  t.equal(open.refusal('10.1.2.3'), undefined, 'a listed private network')
  t.equal(open.refusal('::ffff:127.0.0.1'), undefined, 'IPv4-mapped judged as IPv4')
  const closed = new AddressPolicy([])
  for (const address of ['10.1.2.3', '192.168.0.1', '127.0.0.1', '::1', 'fd12::1', '100.64.0.1', '0.0.0.0']) {
    t.ok(closed.refusal(address), `${address} refused unless allowed`)
  }
  t.equal(closed.refusal('8.8.8.8'), undefined, 'a public address')
  t.equal(closed.refusal('2606:4700::1111'), undefined, 'a public IPv6 address')
})

t.test('outbound: the resolved address is checked at connect time; redirects are not followed', async (t) => {
  const r = await receiver(t)
  const strict = new Outbound(new AddressPolicy([]), { timeoutMs: 2000, connectTimeoutMs: 1000 })
  t.teardown(() => strict.close())
  const byName = await strict.post(`http://localhost:${r.port}/hook`, {}, '{}')
  t.match(byName, { ok: false, statusCode: null, error: /^refused: .*not in WEBHOOK_ALLOWED_NETWORKS/ }, 'a name resolving to loopback is refused when connecting')
  t.equal(r.received.length, 0, 'nothing reached the receiver')

  const allowed = new Outbound(new AddressPolicy(['127.0.0.1/32']), { timeoutMs: 2000, connectTimeoutMs: 1000 })
  t.teardown(() => allowed.close())
  r.answer = () => 302
  const redirected = await allowed.post(r.url, {}, '{}')
  t.match(redirected, { ok: false, statusCode: 302, error: 'redirect (302) not followed' })
  t.equal(r.received.length, 1, 'the redirect\'s target was not asked')
  r.answer = () => 'hang'
  const hung = await allowed.post(r.url, {}, '{}')
  t.match(hung, { ok: false, statusCode: null, error: 'no answer within 2000 ms' }, 'a receiver that never answers is given up on')
})

if (!usingPostgres) {
  t.test('on PGlite, webhooks are refused with a clear problem', async (t) => {
    const res = await createWebhook({ url: 'https://example.org/hook', types: ['*'] })
    t.equal(res.status, 409)
    t.match(res.json, { code: 'webhooks_need_postgresql', detail: /PostgreSQL/ })
    const list = await call(app, { method: 'GET', url: '/v1/webhooks' })
    t.same(list.json, { items: [], nextCursor: null })
  })
} else {
  t.test('registration: the secret once, URL checks, list, ETag and If-Match', async (t) => {
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://[fd00:ec2::254]/', 'http://[fe80::1]/', 'http://10.1.2.3/hook', 'ftp://example.org/', 'https://user:pw@example.org/']) {
      const refused = await createWebhook({ url, types: ['*'] })
      t.equal(refused.status, 422, url)
      t.equal(refused.json.code, 'webhook_url_refused', url)
    }
    const badType = await createWebhook({ url: 'https://example.org/hook', types: ['Unit.Created'] })
    t.equal(badType.status, 400)

    const created = await createWebhook({ url: 'https://example.org/hook', types: ['unit.created', 'appointment.*', 'unit.created'] })
    t.equal(created.status, 201, created.body)
    t.match(created.json, { status: 'active', types: ['appointment.*', 'unit.created'], unitId: null, secret: /^whsec_[A-Za-z0-9+/]+=*$/ })
    t.equal(created.headers['cache-control'], 'no-store')
    const id = created.json.id
    const got = await call(app, { method: 'GET', url: `/v1/webhooks/${id}` })
    t.notOk('secret' in got.json, 'the secret is never shown again')
    const stored = await app.db.execute(sql`SELECT secret FROM webhooks WHERE id = ${id}`)
    t.notMatch(JSON.stringify(stored), created.json.secret.slice(6), 'nor stored in clear')
    const audit = await call(app, { method: 'GET', url: `/v1/audit?entityType=webhook&entityId=${id}` })
    t.notMatch(audit.body, created.json.secret.slice(6), 'nor audited')
    t.notMatch(JSON.stringify(logs), created.json.secret.slice(6), 'nor logged')

    const stale = await call(app, { method: 'PATCH', url: `/v1/webhooks/${id}`, payload: { status: 'paused' }, headers: { 'if-match': '"v0"' } })
    t.equal(stale.status, 412)
    const paused = await call(app, { method: 'PATCH', url: `/v1/webhooks/${id}`, payload: { status: 'paused', types: ['*'] }, headers: { 'if-match': got.headers.etag as string } })
    t.equal(paused.status, 200, paused.body)
    t.match(paused.json, { status: 'paused', statusReason: 'paused', types: ['*'] })
    t.not(paused.headers.etag, got.headers.etag)

    const list = await call(app, { method: 'GET', url: '/v1/webhooks?limit=1' })
    t.equal(list.status, 200)
    t.equal(list.json.items.length, 1)
    t.equal((await call(app, { method: 'GET', url: '/v1/webhooks?limit=501' })).status, 400)
    const gone = await call(app, { method: 'DELETE', url: `/v1/webhooks/${id}` })
    t.equal(gone.status, 204)
    t.equal((await call(app, { method: 'GET', url: `/v1/webhooks/${id}` })).status, 404)
    const editor = await mintKey(app, 'editor')
    t.equal((await createWebhook({ url: 'https://example.org/hook', types: ['*'] }, editor)).status, 403, 'admin keys only')
  })

  t.test('every change delivered at least once, in order, signed: through failures and a receiver that was down', async (t) => {
    const r = await receiver(t)
    // The first three deliveries fail.
    r.answer = (n) => n <= 3 ? 500 : 200
    const created = await createWebhook({ url: r.url, types: ['unit.*'] })
    t.equal(created.status, 201, created.body)
    const { id, secret, cursor } = created.json
    const tree = await createChain(app, 'WHA')
    await until('three failed attempts', () => r.received.length >= 3)
    await r.close()
    const more = await createUnit(app, { level: 'ward', parentId: tree.block.id, code: 'W2', name: 'Ward Two' })
    await call(app, { method: 'POST', url: `/v1/units/${more.id}/move`, payload: { parentId: tree.block.id } })
    await until('a refused connection logged', async () => {
      const log = await call(app, { method: 'GET', url: `/v1/webhooks/${id}/deliveries?limit=5` })
      return log.json.items.some((d: any) => /ECONNREFUSED/.test(d.error ?? ''))
    })
    const failing = await call(app, { method: 'GET', url: `/v1/webhooks/${id}` })
    t.match(failing.json.failing, { since: String, attempts: Number, nextAttemptAt: String }, 'the webhook says it is failing')
    await r.open()
    await createUnit(app, { level: 'ward', parentId: tree.block.id, code: 'W3', name: 'Ward Three' })

    await app.changeFeed.sequencer.poke()
    const feed = await call(app, { method: 'GET', url: `/v1/changes?after=${cursor}&types=unit.created,unit.moved,unit.updated,unit.deleted&limit=500` })
    const expected = feed.json.items.map((c: any) => c.position)
    t.ok(expected.length >= 7, 'the chain, two more wards and a move')
    await until('every change delivered', () => expected.every((p: number) => r.changes.some(m => m.status === 200 && m.json.data.position === p)))
    const firsts = [...new Set(r.changes.map(m => m.json.data.position))]
    t.same(firsts, [...firsts].sort((a, b) => a - b), 'in feed order')
    t.ok(r.received.every(m => verifies(secret, m)), 'every delivery verifies with standardwebhooks')
    const first = r.changes.filter(m => m.json.data.position === expected[0])
    t.ok(first.length >= 4, 'the first change was tried four times')
    t.equal(new Set(first.map(m => m.headers['webhook-id'])).size, 1, 'with one webhook-id')
    t.match(r.changes.at(-1)!.json, { type: 'unit.created', timestamp: String, data: { entityType: 'unit', unitCodePath: 'WHAS/D1/B1/W3' } })
    const after = await until('no longer failing', async () => {
      const got = await call(app, { method: 'GET', url: `/v1/webhooks/${id}` })
      return got.json.failing === null && got.json
    })
    t.equal(after.status, 'active')
  })

  t.test('a receiver that never answers does not hold up another', async (t) => {
    const dead = await receiver(t)
    dead.answer = () => 'hang'
    const alive = await receiver(t)
    await createWebhook({ url: dead.url, types: ['unit.created'] })
    await createWebhook({ url: alive.url, types: ['unit.created'] })
    await createUnit(app, { level: 'state', code: 'WHI', name: 'Isolation' })
    await until('both asked', () => dead.received.length >= 1 && alive.received.length >= 1)
    const waited = Date.now()
    const unit = await createUnit(app, { level: 'state', code: 'WHI2', name: 'Isolation Two' })
    const deadAsked = await until('the live receiver has the next change', () => alive.changes.some(m => m.json.data.entityId === unit.id) && dead.received.length)
    t.equal(deadAsked, 1, `delivered in ${Date.now() - waited} ms, while the other's first request still hung (WEBHOOK_TIMEOUT_MS 3000)`)
  })

  t.test('410 Gone disables the endpoint; resuming sends the same change again', async (t) => {
    const r = await receiver(t)
    r.answer = () => 410
    const { json: hook } = await createWebhook({ url: r.url, types: ['unit.created'] })
    await createChain(app, 'WHG')
    const disabled = await until('disabled', async () => {
      const got = await call(app, { method: 'GET', url: `/v1/webhooks/${hook.id}` })
      return got.json.status === 'disabled' && got.json
    })
    t.equal(disabled.statusReason, 'gone')
    t.equal(r.received.length, 1, 'tried once')
    r.answer = () => 200
    const resumed = await call(app, { method: 'PATCH', url: `/v1/webhooks/${hook.id}`, payload: { status: 'active' } })
    t.equal(resumed.status, 200)
    await until('all five delivered', () => r.received.filter(m => m.status === 200).length >= 5)
    t.equal(r.received[1].headers['webhook-id'], r.received[0].headers['webhook-id'], 'from the change it stopped at')
  })

  t.test('secret rotation: old and new both sign during the grace period', async (t) => {
    const r = await receiver(t)
    const { json: hook } = await createWebhook({ url: r.url, types: ['unit.created'] })
    const rotated = await call(app, { method: 'POST', url: `/v1/webhooks/${hook.id}/rotate-secret`, payload: { graceSeconds: 600 } })
    t.equal(rotated.status, 200, rotated.body)
    t.not(rotated.json.secret, hook.secret)
    t.ok(rotated.json.previousSecretUntil)
    await createUnit(app, { level: 'state', code: 'WHR1', name: 'Rotation One' })
    await until('delivered', () => r.received.length >= 1)
    t.equal(r.received[0].headers['webhook-signature'].split(' ').length, 2, 'two signatures')
    t.ok(verifies(hook.secret, r.received[0]), 'the old secret verifies')
    t.ok(verifies(rotated.json.secret, r.received[0]), 'the new secret verifies')
    const again = await call(app, { method: 'POST', url: `/v1/webhooks/${hook.id}/rotate-secret`, payload: { graceSeconds: 0 } })
    await createUnit(app, { level: 'state', code: 'WHR2', name: 'Rotation Two' })
    await until('delivered', () => r.received.length >= 2)
    t.equal(r.received[1].headers['webhook-signature'].split(' ').length, 1)
    t.ok(verifies(again.json.secret, r.received[1]))
    t.notOk(verifies(rotated.json.secret, r.received[1]), 'without grace, the old secret no longer signs')
  })

  t.test('revoking the creating key pauses its webhooks, whatever path revokes it', async (t) => {
    const admin = await mintKey(app, 'admin')
    const other = await mintKey(app, 'admin')
    const { json: viaApi } = await createWebhook({ url: 'https://example.org/a', types: ['*'] }, admin)
    const { json: viaSql } = await createWebhook({ url: 'https://example.org/b', types: ['*'] }, other)
    const keyId = (await call(app, { method: 'GET', url: '/v1/me' }, admin)).json.keyId
    t.equal((await call(app, { method: 'DELETE', url: `/v1/api-keys/${keyId}` })).status, 204)
    const paused = await call(app, { method: 'GET', url: `/v1/webhooks/${viaApi.id}` })
    t.match(paused.json, { status: 'paused', statusReason: 'key_revoked' })
    const otherId = (await call(app, { method: 'GET', url: '/v1/me' }, other)).json.keyId
    await app.db.execute(sql`UPDATE api_keys SET revoked_at = now() WHERE id = ${otherId}`)
    t.match((await call(app, { method: 'GET', url: `/v1/webhooks/${viaSql.id}` })).json, { status: 'paused', statusReason: 'key_revoked' }, 'raw SQL too')
    const resume = await call(app, { method: 'PATCH', url: `/v1/webhooks/${viaApi.id}`, payload: { status: 'active' } })
    t.equal(resume.status, 409)
    t.equal(resume.json.code, 'webhook_key_revoked')
    await t.rejects(app.db.execute(sql`UPDATE webhooks SET status = 'active' WHERE id = ${viaSql.id}`), 'the database refuses it too')
  })

  t.test('a webhook whose creating key has expired is paused before it delivers, and stays paused', async (t) => {
    const r = await receiver(t)
    const expiring = await mintKey(app, 'admin')
    const { json: hook } = await createWebhook({ url: r.url, types: ['unit.created'] }, expiring)
    const keyId = (await call(app, { method: 'GET', url: '/v1/me' }, expiring)).json.keyId
    await app.db.execute(sql`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = ${keyId}`)
    await createUnit(app, { level: 'state', code: 'WHX1', name: 'Expired One' })
    const paused = await until('paused', async () => {
      const got = (await call(app, { method: 'GET', url: `/v1/webhooks/${hook.id}` })).json
      return got.status === 'paused' ? got : undefined
    })
    t.equal(paused.statusReason, 'key_expired')
    t.equal(r.received.length, 0, 'nothing was sent with the expired key\'s authority')
    const resume = await call(app, { method: 'PATCH', url: `/v1/webhooks/${hook.id}`, payload: { status: 'active' } })
    t.equal(resume.status, 409)
    t.equal(resume.json.code, 'webhook_key_revoked')
  })

  t.test('scope: a district key sees and creates only its subtree\'s webhooks, which carry only its changes', async (t) => {
    const tree = await createChain(app, 'WHS')
    const d2 = await createUnit(app, { level: 'district', parentId: tree.state.id, code: 'D2', name: 'District Two' })
    const districtAdmin = await mintKey(app, 'admin', tree.district.id)
    const outside = await createWebhook({ url: 'https://example.org/x', types: ['*'], unitId: d2.id }, districtAdmin)
    t.equal(outside.status, 422)
    t.equal(outside.json.code, 'unit_not_in_scope')
    const theirs = await createWebhook({ url: 'https://example.org/d2', types: ['*'], unitId: d2.id })
    t.equal((await call(app, { method: 'GET', url: `/v1/webhooks/${theirs.json.id}` }, districtAdmin)).status, 404)
    t.equal((await call(app, { method: 'PATCH', url: `/v1/webhooks/${theirs.json.id}`, payload: { status: 'paused' } }, districtAdmin)).status, 404)

    const r = await receiver(t)
    const mine = await createWebhook({ url: r.url, types: ['unit.created'] }, districtAdmin)
    t.equal(mine.status, 201, mine.body)
    t.equal(mine.json.unitId, tree.district.id, 'a scoped key\'s webhook covers its scope unit')
    const listed = await call(app, { method: 'GET', url: '/v1/webhooks?limit=500' }, districtAdmin)
    t.same(listed.json.items.map((w: any) => w.id), [mine.json.id])
    await createUnit(app, { level: 'block', parentId: d2.id, code: 'B8', name: 'Outside' })
    await createUnit(app, { level: 'block', parentId: tree.district.id, code: 'B9', name: 'Inside' })
    await until('the district\'s change', () => r.changes.length >= 1)
    t.same(r.changes.map(m => m.json.data.unitCodePath), ['WHSS/D1/B9'], 'only the district\'s change, though the other came first')
  })

  t.test('deliveries log, retry of one delivery, ping', async (t) => {
    const r = await receiver(t)
    const { json: hook } = await createWebhook({ url: r.url, types: ['unit.created'] })
    const pinged = await call(app, { method: 'POST', url: `/v1/webhooks/${hook.id}/ping` })
    t.equal(pinged.status, 200, pinged.body)
    t.match(pinged.json, { kind: 'ping', ok: true, statusCode: 200, type: 'webhook.ping', position: null, durationMs: Number })
    t.match(r.received[0].json, { type: 'webhook.ping', data: { webhookId: hook.id } })
    t.ok(verifies(hook.secret, r.received[0]))

    await createUnit(app, { level: 'state', code: 'WHD', name: 'Deliveries' })
    await until('delivered', () => r.changes.length >= 1)
    const log = await until('logged', async () => {
      const got = await call(app, { method: 'GET', url: `/v1/webhooks/${hook.id}/deliveries?limit=1` })
      return got.json.nextCursor && got.json
    })
    t.match(log.items[0], { kind: 'change', ok: true, statusCode: 200, type: 'unit.created', attempt: 1 })
    const next = await call(app, { method: 'GET', url: `/v1/webhooks/${hook.id}/deliveries?limit=1&cursor=${log.nextCursor}` })
    t.match(next.json.items, [{ kind: 'ping' }], 'pages, newest first')
    const retried = await call(app, { method: 'POST', url: `/v1/webhooks/${hook.id}/deliveries/${log.items[0].id}/retry` })
    t.equal(retried.status, 200, retried.body)
    t.match(retried.json, { kind: 'retry', ok: true, messageId: log.items[0].messageId, attempt: 2 })
    t.equal(r.changes.length, 2)
    t.equal(r.changes[1].headers['webhook-id'], r.changes[0].headers['webhook-id'], 'the same webhook-id, for the receiver to dedupe')
    t.equal((await call(app, { method: 'POST', url: `/v1/webhooks/${hook.id}/deliveries/99999999/retry` })).status, 404)
  })
}
