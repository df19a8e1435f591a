import t from 'tap'
import { buildTestApp, call, mintKey } from './helpers/app.js'
import { createPerson } from './helpers/people.js'
import { createChain } from './helpers/tree.js'

const { app, logs } = await buildTestApp(t, { RATE_LIMIT_MAX: '10000' })
const tree = await createChain(app, 'LOG')

// One phone number and two voter IDs, and every way a caller has been seen to spell them.
const PHONE_DIGITS = '9723608964'
const EPIC_DIGITS = '1979760'
const OLD_CARD_DIGITS = '12123456789'
const PHONES_IN_URLS = ['97236%2008964', '%39723608964', '+91.97236.08964', '%2B91.97236.08964', '(972)%20360-8964', '9723608964', '0091%2097236%2008964', '97236+08964']
const VOTER_IDS_IN_URLS = ['dmq%201979760', '%44MQ1979760', 'DMQ1979760', 'UP/12/123/456789', 'up%2F12%2F123%2F456789']
// Header values are not percent-decoded by anyone: these are what a caller would type.
const IN_HEADERS = ['97236.08964', '97236-08964', '9723608964', '+91.97236.08964', '(972) 360-8964', '%39723608964', 'dmq 1979760', 'DMQ1979760', 'dmq1979760', 'UP/12/123/456789', 'trace-9723608964', 'req.1979760', '0b5e2f4c-9723-6089-64ab-5a8e3c1d2b7f']

const HARMLESS_UUID = '0b5e2f4c-6123-4089-8400-5a8e3c1d2b7f'
const HARMLESS_PATH = 'UP/LKO/B03/W12/AC072-PS0145'

const alphanumerics = (text: string) => text.replace(/[^A-Za-z0-9]/g, '').toUpperCase()
const urlsLogged = () => logs.map(l => (l.req as { url?: string } | undefined)?.url).filter((u): u is string => typeof u === 'string')

t.test('no spelling of a phone number or voter ID reaches the log: query, path, request id', async (t) => {
  const reader = await mintKey(app, 'reader')
  const masked = await mintKey(app, 'reader', null, { maskPersonalData: true })
  const person = await createPerson(app, { name: 'Logged Person', homeBoothId: tree.booth.id, phone: '+91 97236 08964', voterId: 'dmq1979760' })
  await createPerson(app, { name: 'Old Card', homeBoothId: tree.booth.id, voterId: 'UP/12/123/456789' })
  // A refusal the error handler logs (a database constraint), carrying the voter ID in its body.
  const taken = await call(app, { method: 'POST', url: '/v1/people', payload: { name: 'Twin', homeBoothId: tree.booth.id, voterId: 'DMQ1979760' } })
  t.equal(taken.json.code, 'voter_id_taken')

  const before = logs.length
  const sent: string[] = []
  for (const spelling of [...PHONES_IN_URLS, ...VOTER_IDS_IN_URLS]) {
    for (const url of [
      `/v1/people?phone=${spelling}`, `/v1/people?voterId=${spelling}`, `/v1/people?q=${spelling}`,
      `/v1/units?q=${spelling}&limit=5`, `/v1/units?Mobile_No=${spelling}`, `/v1/units?whatever=${spelling}`,
      `/v1/units/lookup?path=${spelling}`, // a code path: free text
      `/v1/roles/${spelling}`, // a role code: free text in the path
      `/v1/people/${spelling}`, // not a UUID: refused, but logged
      `/v1/no-such-route/${spelling}?x=${spelling}`
    ]) {
      sent.push(url)
      await call(app, { method: 'GET', url }, reader)
    }
    await call(app, { method: 'GET', url: `/v1/people?phone=${spelling}&voterId=${spelling}` }, masked)
  }
  const found = await call(app, { method: 'GET', url: '/v1/people?phone=%2B91%2097236%2008964' }, reader)
  t.same(found.json.items.map((p: any) => p.id), [person.id], 'the search itself still works')

  for (const id of IN_HEADERS) {
    const res = await call(app, { method: 'GET', url: `/v1/people/${person.id}`, headers: { 'x-request-id': id } }, reader)
    t.equal(res.status, 200)
    t.not(res.headers['x-request-id'], id, `request id ${id} is not kept`)
    t.match(res.headers['x-request-id'], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a fresh UUID is used instead')
    const lines = logs.filter(l => l.reqId === res.headers['x-request-id'])
    t.same(lines.map(l => l.msg), ['request completed'], 'and it is the one the request\'s log line carries')
  }
  app.log.error({ err: Object.assign(new Error('Failed query: insert\nparams: +91 97236 08964,DMQ1979760'), { detail: 'Key (voter_id)=(DMQ1979760) already exists.' }), phone: '9723608964', contactNumber: '97236 08964' }, 'boom for /v1/people?phone=97236%2008964')

  t.ok(logs.length - before > sent.length, 'every request was logged')
  for (const url of sent) {
    const route = url.split(/[?]/)[0].split('/').slice(0, 3).join('/')
    t.ok(urlsLogged().some(u => u.startsWith(route)), `${route} requests are in the log`)
  }
  logs.forEach((line, i) => {
    const text = alphanumerics(JSON.stringify(line))
    for (const needle of [PHONE_DIGITS, EPIC_DIGITS, OLD_CARD_DIGITS]) {
      if (text.includes(needle)) t.fail(`log line ${i} carries ${needle.slice(0, 3)}…: ${JSON.stringify(line).slice(0, 300)}`)
    }
  })
  const all = alphanumerics(JSON.stringify(logs))
  for (const needle of [PHONE_DIGITS, EPIC_DIGITS, OLD_CARD_DIGITS]) t.notOk(all.includes(needle), `${needle.slice(0, 3)}… is in no log line, in any spelling`)
  t.ok(urlsLogged().includes('/v1/people?phone=[redacted]&voterId=[redacted]'), 'personal parameters are logged without their value')
  t.ok(urlsLogged().includes('/v1/units?q=[phone]&limit=5'), 'free text is scrubbed by pattern')
  t.ok(urlsLogged().includes('/v1/roles/[voter-id]'), 'and so is a path')
})

t.test('what is not personal data is logged as sent', async (t) => {
  const harmless = [
    `/v1/units/lookup?path=${HARMLESS_PATH}`,
    `/v1/appointments?unitId=${HARMLESS_UUID}&on=2024-05-01&limit=500`,
    `/v1/units/${HARMLESS_UUID}`,
    '/v1/units?q=Ward%2012&limit=20'
  ]
  for (const url of harmless) await call(app, { method: 'GET', url })
  const urls = urlsLogged()
  t.ok(urls.includes(harmless[0]), 'a unit code path')
  t.ok(urls.includes(harmless[1]), 'a UUID, an ISO date and a count')
  t.ok(urls.includes(harmless[2]), 'a UUID in the path')
  t.ok(urls.includes('/v1/units?q=Ward 12&limit=20'), 'logged decoded')

  const traced = await call(app, { method: 'GET', url: '/v1/units', headers: { 'x-request-id': 'orders-svc:trace.42' } })
  t.equal(traced.headers['x-request-id'], 'orders-svc:trace.42', 'a safe caller id is kept for tracing')
  t.ok(logs.some(l => l.reqId === 'orders-svc:trace.42'), 'and logged')
  const kept = await call(app, { method: 'GET', url: '/v1/units', headers: { 'x-request-id': HARMLESS_UUID } })
  t.equal(kept.headers['x-request-id'], HARMLESS_UUID, 'a UUID is kept')
  const digits = '0b5e2f4c-4a1b-4c2d-8e3f-123456789abc'
  const refused = await call(app, { method: 'GET', url: '/v1/units', headers: { 'x-request-id': digits } })
  t.not(refused.headers['x-request-id'], digits, 'but not one with six digits in a row')
})
