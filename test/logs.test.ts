import fc from 'fast-check'
import t from 'tap'
import { isTraceableRequestId } from '../src/app.js'
import { normalisePhone, normaliseVoterId } from '../src/people/identity.js'
import { decodePercent, scrub, scrubFully, scrubUrl, scrubUrlFully, untouchable } from '../src/scrub.js'
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

t.test('the scrubber: phones and voter IDs never survive', async (t) => {
  // The digits that must never survive, whatever separators a line puts around them.
  const digitsOf = (text: string) => text.replace(/[^A-Za-z0-9]/g, '')
  const PHONE = '9723608964'
  const EPIC_DIGITS = '1979760'

  t.test('decodePercent: every well-formed run, repeatedly; malformed sequences are kept', async (t) => {
    t.equal(decodePercent('97236%2008964'), '97236 08964')
    t.equal(decodePercent('%39723608964'), '9723608964')
    t.equal(decodePercent('%2539723608964'), '9723608964', 'encoded twice')
    t.equal(decodePercent('%E0%A4%B8%20x'), 'स x', 'UTF-8')
    t.equal(decodePercent('%FF%39723608964'), '%FF9723608964', 'a byte that is not UTF-8 stays, the rest is read')
    t.equal(decodePercent('100%'), '100%')
    t.equal(decodePercent('%zz%4'), '%zz%4')
  })

  t.test('scrub: phone numbers in every usual spelling', async (t) => {
    for (const spelling of [
      '9723608964', '97236 08964', '97236-08964', '972.360.8964', '(972) 360-8964', '(972)360-8964',
      '+919723608964', '+91 97236 08964', '+91-97236-08964', '+91.97236.08964', '+91 (972) 360 8964',
      '0091 97236 08964', '00919723608964', '919723608964', '91 97236 08964', '09723608964', '0 97236 08964',
      '9 7 2 3 6 0 8 9 6 4'
    ]) {
      const out = scrub(`call ${spelling} today`)
      t.notOk(digitsOf(out).includes(PHONE), `${spelling} -> ${out}`)
      t.match(out, /\[phone\]/)
    }
  })

  t.test('scrub: voter IDs, current and older cards, in any case', async (t) => {
    for (const spelling of ['DMQ1979760', 'dmq1979760', 'Dmq 1979760', 'DMQ-1979760', 'xDMQ1979760', '1DMQ1979760']) {
      const out = scrub(`id ${spelling}.`)
      t.notOk(digitsOf(out).includes(EPIC_DIGITS), `${spelling} -> ${out}`)
    }
    for (const spelling of ['UP/12/123/456789', 'up/12/123/456789', 'UP / 12 / 123 / 456789', 'MH/3/18/1360411']) {
      const out = scrub(`card ${spelling} given`)
      t.equal(out, 'card [voter-id] given', spelling)
    }
  })

  t.test('scrub: secrets, personal name=value pairs, and a URL inside a message', async (t) => {
    t.equal(scrub('key sg_abcdefghijklmnopqrstuvwxyz012345'), 'key [secret]')
    t.equal(scrub('sg%5Fabcdefghijklmnopqrstuvwxyz012345'), '[secret]', 'a secret spelt encoded')
    t.equal(scrub('Route GET:/v1/x?mobile=97236 08964&y=1 not found'), 'Route GET:/v1/x?mobile=[redacted]&y=1 not found')
    t.equal(scrub('retry with whatsapp_no=12345'), 'retry with whatsapp_no=[redacted]', 'any value of a personal parameter, even one no pattern knows')
    t.equal(scrub('Reply was already sent for "/v1/units?q=%39723608964"'), 'Reply was already sent for "/v1/units?q=[phone]"')
    t.equal(scrub('Key (voter_id)=(ABC1234567) already exists.'), 'Key (voter_id)=([voter-id]) already exists.')
  })

  t.test('scrub: what is not personal data is left as it was', async (t) => {
    for (const harmless of [
      '0b5e2f4c-9723-6089-6400-5a8e3c1d2b7f', // a UUID whose digit groups look like a phone
      '12345678-9723-6089-64ab-123456789012',
      'UP/LKO/B03/W12/AC072-PS0145',
      '2024-05-01', '2024-05-01T10:30:00.000Z',
      'processed 1234567 rows', 'limit 500, 20000 rows', '19723608964 (eleven digits)', '1718000000000',
      'incoming request', 'The request is not valid. body/name: required.'
    ]) t.equal(scrub(harmless), harmless, harmless)
  })

  t.test('scrubUrl: the decoded path and query, by parameter name and by pattern', async (t) => {
    const cases: Array<[string, string]> = [
      ['/v1/people?phone=97236%2008964', '/v1/people?phone=[redacted]'],
      ['/v1/people?PHONE=1&Voter_ID=dmq%201979760&epicNo=x&contactNumber=y&alt-mobile=z', '/v1/people?PHONE=[redacted]&Voter_ID=[redacted]&epicNo=[redacted]&contactNumber=[redacted]&alt-mobile=[redacted]'],
      ['/v1/people?%70hone=97236', '/v1/people?phone=[redacted]'],
      ['/v1/units?q=%39723608964', '/v1/units?q=[phone]'],
      ['/v1/units?q=+91.97236.08964', '/v1/units?q= [phone]'],
      ['/v1/units?q=97236+08964', '/v1/units?q=[phone]'],
      ['/v1/units?q=(972)%20360-8964', '/v1/units?q=([phone]'],
      ['/v1/units?q=%44MQ1979760', '/v1/units?q=[voter-id]'],
      ['/v1/units?q=%FF%39723608964', '/v1/units?q=%FF[phone]'],
      ['/v1/units?q=UP/12/123/456789', '/v1/units?q=[voter-id]'],
      ['/v1/units?q=UP%2F12%2F123%2F456789', '/v1/units?q=[voter-id]'],
      ['/v1/roles/97236%2008964', '/v1/roles/[phone]'],
      ['/v1/roles/+91.97236.08964', '/v1/roles/[phone]'],
      ['/v1/roles/dmq%201979760?x', '/v1/roles/[voter-id]?x'],
      ['/v1/units/lookup?path=UP/LKO/B03/W12/AC072-PS0145', '/v1/units/lookup?path=UP/LKO/B03/W12/AC072-PS0145'],
      ['/v1/appointments?unitId=0b5e2f4c-9723-6089-6400-5a8e3c1d2b7f&on=2024-05-01&limit=500', '/v1/appointments?unitId=0b5e2f4c-9723-6089-6400-5a8e3c1d2b7f&on=2024-05-01&limit=500'],
      ['/v1/units?q=Ram%20Lal', '/v1/units?q=Ram Lal']
    ]
    for (const [url, logged] of cases) t.equal(scrubUrl(url), logged, url)
    t.equal(scrub('/v1/people?phone=97236%2008964'), '/v1/people?phone=[redacted]', 'scrub() treats a lone URL as one')
  })

  // Every spelling the service accepts is one the scrubber removes: generated, not listed.
  const letters = (n: number) => fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'), minLength: n, maxLength: n })
  const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max })
  const around = fc.tuple(fc.constantFrom('', ' ', '?q=', '/v1/roles/', 'x=', '(', 'ID:', 'row '), fc.constantFrom('', ' ', '&y=1', '.', ')', ' rows'))

  t.test('property: any accepted voter ID, written as accepted, is scrubbed', async (t) => {
    const current = fc.tuple(letters(3), fc.constantFrom('', ' '), digits(7, 7)).map(([l, s, d]) => `${l}${s}${d}`)
    const older = fc.tuple(letters(2), digits(1, 3), digits(1, 4), digits(1, 7), fc.constantFrom('/', ' / ', '/ ')).map(([l, a, p, s, sep]) => [l, a, p, s].join(sep))
    fc.assert(fc.property(fc.oneof(current, older), around, (written, [before, after]) => {
      const stored = normaliseVoterId(written)
      if (stored === undefined) return false
      const digitsOnly = stored.replace(/\D/g, '')
      return !digitsOf(scrub(`${before}${written}${after}`)).includes(digitsOnly) &&
        !digitsOf(scrubUrl(`/v1/units?q=${encodeURIComponent(written)}`)).includes(digitsOnly)
    }), { numRuns: 500 })
    t.pass('500 generated voter IDs scrubbed')
  })

  t.test('property: any Indian mobile, with the usual prefixes and separators, is scrubbed', async (t) => {
    const mobile = fc.tuple(fc.constantFrom('6', '7', '8', '9'), digits(9, 9)).map(([a, b]) => a + b)
    const separator = fc.constantFrom('', ' ', '-', '.', ' - ')
    const prefix = fc.constantFrom('', '0', '91', '+91', '+91 ', '0091 ', '+91-', '+91.', '0 ')
    const written = fc.tuple(prefix, mobile, separator, fc.boolean()).map(([p, m, s, brackets]) => brackets
      ? `${p}(${m.slice(0, 3)}) ${m.slice(3, 6)}${s || '-'}${m.slice(6)}`
      : `${p}${m.slice(0, 5)}${s}${m.slice(5)}`)
    fc.assert(fc.property(written, around, (phone, [before, after]) => {
      const national = normalisePhone(phone)?.slice(3)
      if (national === undefined) return false
      return !digitsOf(scrub(`${before}${phone}${after}`)).includes(national) &&
        !digitsOf(scrubUrl(`/v1/units?q=${encodeURIComponent(phone)}`)).includes(national)
    }), { numRuns: 500 })
    t.pass('500 generated phone spellings scrubbed')
  })

  t.test('property: UUIDs and ISO dates pass through untouched', async (t) => {
    fc.assert(fc.property(fc.uuid(), fc.date({ min: new Date('1950-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), (id, date) => {
      const text = `/v1/appointments/${id}?on=${date.toISOString().slice(0, 10)}&at=${date.toISOString()}`
      return scrubUrl(text) === text && scrub(`${id} ${date.toISOString()}`) === `${id} ${date.toISOString()}`
    }), { numRuns: 500 })
    t.pass('500 UUIDs and dates unchanged')
  })

  t.test('property: the shortcut for untouchable text answers as the full scrubber does', async (t) => {
    // Pieces that sit on every edge of the shortcut: digits one short of a pattern and
    // at it, UUIDs with digit runs, '%', '=', 'sg_', '?', '+', separators and cases.
    const piece = fc.oneof(
      fc.uuid(),
      fc.constantFrom('9723608964', '97236 08964', 'ABC1234567', 'UP/1/2/3', 'UP/12', '12', '1', 'sg_', 'sg_abcdefghijklmnopqrstuvwxyz',
        '%', '%39', '=', 'phone=', '?', '+', '&', '/', '-', ' ', '.', '(', ')', 'v1', 'units', 'request completed', 'Ab'),
      fc.string({ unit: fc.constantFrom(...'abcXYZ019-_/ .'), maxLength: 6 })
    )
    const text = fc.array(piece, { maxLength: 8 }).map(parts => parts.join(''))
    fc.assert(fc.property(text, fc.boolean(), (body, asPath) => {
      const s = asPath ? `/${body}` : body
      return scrub(s) === scrubFully(s) && scrubUrl(s) === scrubUrlFully(s)
    }), { numRuns: 3000 })
    t.ok(untouchable('request completed') && untouchable('0b5e2f4c-9723-6089-6400-5a8e3c1d2b7f') && untouchable('/v1/units/0b5e2f4c-9723-6089-6400-5a8e3c1d2b7f'),
      'a message, a minted request id and a unit read\'s path take the shortcut')
    t.notOk(untouchable('UP/1/2/3') || untouchable('x=1') || untouchable('%39') || untouchable('sg_x'), 'anything a rule could touch does not')
  })

  t.test('a caller\'s request id is kept only when it cannot carry personal data', async (t) => {
    for (const kept of ['trace-abc.123', '0b5e2f4c-4a1b-4c2d-8e3f-5a8e3c1d2b7f', 'svc:orders:42', 'UP-LKO-B03']) t.ok(isTraceableRequestId(kept), `${kept} kept`)
    for (const refused of [
      '97236.08964', '97236-08964', '9723608964', 'DMQ1979760', 'dmq1979760', 'req-123456', // the scrubber or six digits
      '0b5e2f4c-4a1b-4c2d-8e3f-972360896412', '0b5e2f4c-9723-6089-64ab-5a8e3c1d2b7f', // a UUID carrying a number
      '+91.97236.08964', 'UP/12/123/456789', 'a b', 'x'.repeat(129), '' // not the safe alphabet
    ]) t.notOk(isTraceableRequestId(refused), `${refused.slice(0, 40)} refused`)
  })
})
