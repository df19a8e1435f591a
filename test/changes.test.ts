import { sql } from 'drizzle-orm'
import { once } from 'node:events'
import http from 'node:http'
import pg from 'pg'
import t from 'tap'
import { rows } from '../src/db/client.js'
import { ADMIN_KEY, buildTestApp, call, mintKey, usingPostgres } from './helpers/app.js'
import { csv, postImport } from './helpers/imports.js'
import { activeMember, appoint } from './helpers/people.js'
import { createChain, createUnit } from './helpers/tree.js'

// A heartbeat short enough to see one in a test; the sequencer at its default pace.
const { app, databaseUrl } = await buildTestApp(t, { CHANGES_HEARTBEAT_MS: '300' })

interface Change {
  cursor: string
  position: number
  type: string
  entityType: string
  entityId: string
  unitId: string | null
  unitCodePath: string | null
  at: string
  payload: { ids: Record<string, unknown>, changed: string[], values: Record<string, unknown> }
}

/** Numbers whatever has committed (what the server's loop does every 100 ms). */
const settle = () => app.changeFeed.sequencer.poke()

async function page (query: string, key: string = ADMIN_KEY) {
  const res = await call(app, { method: 'GET', url: `/v1/changes?${query}` }, key)
  if (res.status !== 200) throw new Error(`GET /v1/changes?${query}: ${res.status} ${res.body}`)
  return res.json as { items: Change[], nextCursor: string }
}

/** Everything after `after` (all of it when undefined), page by page; and where to resume. */
async function readAll (after: string | undefined, query = '', key: string = ADMIN_KEY) {
  await settle()
  const items: Change[] = []
  let cursor = after
  for (;;) {
    const got = await page(`limit=100${cursor ? `&after=${cursor}` : ''}${query}`, key)
    items.push(...got.items)
    cursor = got.nextCursor
    if (got.items.length < 100) return { items, cursor }
  }
}

/** The head, once what has committed is numbered: what follows is what the test does next. */
const latest = async () => { await settle(); return (await page('after=latest')).nextCursor }

t.test('API changes appear as typed changes with a thin payload, never a phone or voter ID', async (t) => {
  const from = await latest()
  const tree = await createChain(app, 'CF')
  const otherBlock = await createUnit(app, { level: 'block', parentId: tree.district.id, code: 'B2', name: 'Block Two' })
  const moved = await call(app, { method: 'POST', url: `/v1/units/${tree.ward.id}/move`, payload: { parentId: otherBlock.id } })
  t.equal(moved.status, 200)
  const { person, membership } = await activeMember(app, tree.booth.id, 'Asha Devi', { phone: '+91 98111 22334', voterId: 'CFX1234567' })
  const term = await appoint(app, { personId: person.id, unitId: tree.booth.id, role: 'president' })
  const ended = await call(app, { method: 'PATCH', url: `/v1/appointments/${term.id}`, payload: { endDate: term.startDate, endReason: 'resigned' } })
  t.equal(ended.status, 200)
  const renumbered = await call(app, { method: 'PATCH', url: `/v1/people/${person.id}`, payload: { phone: '9811122335', name: 'Asha Devi Yadav' } })
  t.equal(renumbered.status, 200)
  const lapsed = await call(app, { method: 'PATCH', url: `/v1/memberships/${membership.id}`, payload: { status: 'lapsed' } })
  t.equal(lapsed.status, 200, lapsed.body)

  const { items } = await readAll(from)
  t.same(items.map(c => c.type), [
    'unit.created', 'unit.created', 'unit.created', 'unit.created', 'unit.created', 'unit.created',
    'unit.moved', 'person.created', 'membership.created', 'appointment.created', 'appointment.ended',
    'person.updated', 'membership.lapsed'
  ])
  const positions = items.map(c => c.position)
  t.same(positions, [...positions].sort((a, b) => a - b), 'in position order')

  const move = items.find(c => c.type === 'unit.moved')!
  t.match(move, { entityType: 'unit', entityId: tree.ward.id, unitId: tree.ward.id, unitCodePath: 'CFS/D1/B2/W1' }, 'the unit and its code path after the move')
  t.same(move.payload.changed.includes('parentId') && move.payload.values.parentId, otherBlock.id, 'the new parent among the changed values')
  const boothCreated = items.find(c => c.type === 'unit.created' && c.entityId === tree.booth.id)!
  t.equal(boothCreated.unitCodePath, 'CFS/D1/B1/W1/AC072-PS0145', 'the booth\'s code path when it was created')

  const appointed = items.find(c => c.type === 'appointment.created')!
  t.match(appointed.payload.ids, { id: term.id, personId: person.id, unitId: tree.booth.id })
  const end = items.find(c => c.type === 'appointment.ended')!
  t.ok(end.payload.changed.includes('endDate'))
  t.equal(end.payload.values.endReason, 'resigned')
  const lapse = items.find(c => c.type === 'membership.lapsed')!
  t.match(lapse, { entityId: membership.id, unitCodePath: 'CFS/D1/B2/W1/AC072-PS0145' })
  t.equal(lapse.payload.values.status, 'lapsed')

  const personUpdated = items.find(c => c.type === 'person.updated')!
  t.same(personUpdated.payload.changed.filter(f => f === 'phone' || f === 'name'), ['name', 'phone'], 'a new phone is named as changed')
  t.notOk('phone' in personUpdated.payload.values, 'but not given')
  const everything = JSON.stringify(items)
  for (const secret of ['98111', '9811122', 'CFX1234567', 'cfx1234567']) t.notOk(everything.includes(secret), `no ${secret} anywhere in the feed`)
  const stored = await rows<{ payload: string }>(app.db, sql`SELECT payload::text FROM changes`)
  t.notOk(stored.some(r => r.payload.includes('98111') || r.payload.includes('CFX1234567')), 'nor in the table itself')
})

t.test('a key sees the changes of its subtree, by where the unit was at the time', async (t) => {
  const tree = await createChain(app, 'CS')
  const d2 = await createUnit(app, { level: 'district', parentId: tree.state.id, code: 'D2', name: 'District Two' })
  const d2Block = await createUnit(app, { level: 'block', parentId: d2.id, code: 'B9', name: 'Block Nine' })
  const districtKey = await mintKey(app, 'reader', tree.district.id)
  const otherKey = await mintKey(app, 'reader', d2.id)
  const from = await latest()
  const ward = await createUnit(app, { level: 'ward', parentId: tree.block.id, code: 'W7', name: 'Ward Seven' })
  await call(app, { method: 'POST', url: `/v1/units/${ward.id}/move`, payload: { parentId: d2Block.id } })
  await createUnit(app, { level: 'ward', parentId: d2Block.id, code: 'W8', name: 'Ward Eight' })
  const wing = await call(app, { method: 'POST', url: '/v1/wings', payload: { code: 'cfeed', name: 'Feed wing' } })
  t.equal(wing.status, 201, wing.body)

  const mine = await readAll(from, '', districtKey)
  t.same(mine.items.map(c => `${c.type} ${c.unitCodePath}`), ['unit.created CSS/D1/B1/W7'],
    'the ward created in the district, though it has moved out since; not its move, nor the other district, nor the catalogue')
  const theirs = await readAll(from, '', otherKey)
  t.same(theirs.items.map(c => `${c.type} ${c.unitCodePath}`), ['unit.moved CSS/D2/B9/W7', 'unit.created CSS/D2/B9/W8'])
  const all = await readAll(from)
  t.same(all.items.map(c => c.type), ['unit.created', 'unit.moved', 'unit.created', 'wing.created'], 'a global key sees everything')
  t.equal(all.items[3].unitId, null)

  // A scoped consumer that saw nothing still moves on: its cursor is the head it read at.
  const idle = await page(`after=${mine.cursor}`, districtKey)
  t.same(idle.items, [])
  t.equal(idle.nextCursor, all.cursor, 'an empty page resumes from the head, past what the key may not see')
})

t.test('filters by type and by unit', async (t) => {
  const tree = await createChain(app, 'CT')
  const from = await latest()
  const a = await createUnit(app, { level: 'ward', parentId: tree.block.id, code: 'W2', name: 'Ward Two' })
  const b = await createUnit(app, { level: 'booth', parentId: a.id, code: 'PS9', name: 'Booth Nine', acNumber: 72, psNumber: '9' })
  await call(app, { method: 'PATCH', url: `/v1/units/${b.id}`, payload: { name: 'Booth 9' } })
  await createUnit(app, { level: 'ward', parentId: tree.block.id, code: 'W3', name: 'Ward Three' })

  const updates = await readAll(from, '&types=unit.updated')
  t.same(updates.items.map(c => c.entityId), [b.id])
  const both = await readAll(from, '&types=unit.updated,unit.created')
  t.equal(both.items.length, 4)
  const underA = await readAll(from, `&unitId=${a.id}`)
  t.same(underA.items.map(c => `${c.type} ${c.entityId}`), [`unit.created ${a.id}`, `unit.created ${b.id}`, `unit.updated ${b.id}`])
  const unknown = await call(app, { method: 'GET', url: '/v1/changes?unitId=00000000-0000-4000-8000-000000000000' })
  t.equal(unknown.status, 404)
  const badType = await call(app, { method: 'GET', url: '/v1/changes?types=unit' })
  t.equal(badType.status, 400)
})

t.test('limits and cursors are checked', async (t) => {
  const tooMany = await call(app, { method: 'GET', url: '/v1/changes?limit=501' })
  t.equal(tooMany.status, 400)
  t.equal(tooMany.json.code, 'validation_failed')
  for (const bad of ['abc', 'MTIzYQ', Buffer.from('-1').toString('base64url'), Buffer.from('{"p":1}').toString('base64url')]) {
    const res = await call(app, { method: 'GET', url: `/v1/changes?after=${bad}` })
    t.equal(res.status, 400, bad)
    t.equal(res.json.code, 'invalid_cursor')
  }
  const wait = await call(app, { method: 'GET', url: '/v1/changes?wait=31' })
  t.equal(wait.status, 400)
  const reader = await mintKey(app, 'reader')
  t.equal((await call(app, { method: 'GET', url: '/v1/changes?limit=1' }, reader)).status, 200, 'any key may read the feed')
})

t.test('a long-poll answers as soon as a change arrives', async (t) => {
  const from = await latest()
  const started = Date.now()
  const polled = call(app, { method: 'GET', url: `/v1/changes?after=${from}&wait=25` })
  // The poll is waiting (nothing has happened yet) before the change is made.
  while (app.changeFeed.signal.waiting === 0) await new Promise(resolve => setImmediate(resolve))
  const state = await createUnit(app, { level: 'state', code: 'CLP', name: 'Long-poll state' })
  const res = await polled
  t.equal(res.status, 200)
  t.same(res.json.items.map((c: Change) => `${c.type} ${c.entityId}`), [`unit.created ${state.id}`])
  t.ok(Date.now() - started < 10_000, `answered in ${Date.now() - started} ms, not after the 25 s`)

  const quiet = await call(app, { method: 'GET', url: `/v1/changes?after=${res.json.nextCursor}&wait=1` })
  t.same(quiet.json.items, [], 'nothing new: an empty page once the wait is over')
  t.equal(quiet.json.nextCursor, res.json.nextCursor)
})

t.test('an import emits one change per entity it touches, then import.completed', async (t) => {
  const from = await latest()
  const header = 'state,state_name,district,district_name,block,block_name,ward,ward_name,booth,booth_name,ac_number,ac_name,ps_number'
  const units = await postImport(app, 'units', csv(header,
    'CIM,Import State,D1,One,B1,Block,W1,Ward,PS1,Booth 1,72,,1',
    'CIM,Import State,D1,One,B1,Block,W1,Ward,PS2,Booth 2,72,,2'))
  t.equal(units.status, 200, units.body)
  const presidents = await postImport(app, 'booth-presidents', csv('booth,name,phone,voter_id',
    'CIM/D1/B1/W1/PS1,Meena Kumari,+91 98222 00001,CIM0000001',
    'CIM/D1/B1/W1/PS2,Raju Prasad,09822200002,CIM0000002'))
  t.equal(presidents.status, 200, presidents.body)

  const { items } = await readAll(from)
  t.same(items.map(c => c.type), [
    'unit.created', 'unit.created', 'unit.created', 'unit.created', 'unit.created', 'unit.created', 'import.completed',
    'person.imported', 'person.imported', 'import.completed'
  ])
  t.same(items.filter(c => c.type === 'import.completed').map(c => c.entityId), [units.json.id, presidents.json.id])
  const done = items.find(c => c.entityId === presidents.json.id)!
  t.match(done.payload.values, { kind: 'booth_presidents', counts: { created: 2, failed: 0 } })
  const imported = items.filter(c => c.type === 'person.imported')
  t.same(imported.map(c => c.unitCodePath).sort(), ['CIM/D1/B1/W1/PS1', 'CIM/D1/B1/W1/PS2'])
  t.match(imported[0].payload.values, { importId: presidents.json.id, person: 'created', membership: 'created', appointment: 'created' })
  const text = JSON.stringify(items)
  t.notOk(text.includes('98222') || text.includes('CIM000000'), 'no phone or voter ID')
})

t.test('Server-Sent Events: a stream of changes, heartbeats, resumed with Last-Event-ID', async (t) => {
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const from = await latest()
  const s1 = await createUnit(app, { level: 'state', code: 'CSE1', name: 'Stream one' })
  const s2 = await createUnit(app, { level: 'state', code: 'CSE2', name: 'Stream two' })
  await settle()

  const first = await openStream(`${address}/v1/changes?after=${from}`)
  const events = await first.next(2)
  t.same(events.map(e => [e.event, JSON.parse(e.data).entityId]), [['unit.created', s1.id], ['unit.created', s2.id]])
  t.equal(events[0].id, JSON.parse(events[0].data).cursor, 'the event id is the change\'s cursor')
  t.match(first.headers['content-type'], /^text\/event-stream/)
  await first.until(text => text.includes(': heartbeat'))
  t.pass('a heartbeat while idle')
  const s3 = await createUnit(app, { level: 'state', code: 'CSE3', name: 'Stream three' })
  const [live] = await first.next(1)
  t.equal(JSON.parse(live.data).entityId, s3.id, 'a change made while the stream is open arrives on it')
  first.close()

  // Resumed after the second event: the third, then what happens next, nothing twice.
  const resumed = await openStream(`${address}/v1/changes`, { 'last-event-id': events[1].id })
  const s4 = await createUnit(app, { level: 'state', code: 'CSE4', name: 'Stream four' })
  const again = await resumed.next(2)
  t.same(again.map(e => JSON.parse(e.data).entityId), [s3.id, s4.id])
  resumed.close()

  const refused = await call(app, { method: 'GET', url: '/v1/changes?after=nonsense', headers: { accept: 'text/event-stream' } })
  t.equal(refused.status, 400, 'a bad cursor is a problem, not a stream')
})

interface StreamEvent { id: string, event: string, data: string }

/**
 * An event stream over a plain HTTP connection of its own (node:http, no agent), closed
 * with it: fetch's pool may keep a spare connection open, which holds the server's close.
 */
async function openStream (url: string, headers: Record<string, string> = {}) {
  const request = http.get(url, { agent: false, headers: { accept: 'text/event-stream', authorization: `Bearer ${ADMIN_KEY}`, ...headers } })
  const [response] = await once(request, 'response') as [http.IncomingMessage]
  if (response.statusCode !== 200) throw new Error(`stream: ${response.statusCode}`)
  response.setEncoding('utf8')
  const chunks = response[Symbol.asyncIterator]()
  let buffer = ''
  let raw = ''
  const more = async () => {
    const { value, done } = await chunks.next()
    if (done) throw new Error('the stream ended')
    buffer += value
    raw += value
  }
  return {
    headers: response.headers,
    /** The next `n` events (blocks separated by a blank line that carry an id). */
    async next (n: number): Promise<StreamEvent[]> {
      const out: StreamEvent[] = []
      while (out.length < n) {
        const end = buffer.indexOf('\n\n')
        if (end < 0) { await more(); continue }
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const fields = Object.fromEntries(block.split('\n').filter(l => !l.startsWith(':') && l.includes(': ')).map(l => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]))
        if (fields.id) out.push(fields as unknown as StreamEvent)
      }
      return out
    },
    /** Reads until what arrived since the stream opened satisfies `test`. */
    async until (test: (raw: string) => boolean) {
      while (!test(raw)) await more()
    },
    close () { request.destroy() }
  }
}

t.test('PostgreSQL: positions are given at commit, so a transaction that commits late is not missed', { skip: usingPostgres ? false : 'PostgreSQL only (PGlite runs one transaction at a time)' }, async (t) => {
  const t1 = new pg.Client({ connectionString: databaseUrl })
  const t2 = new pg.Client({ connectionString: databaseUrl })
  await t1.connect()
  await t2.connect()
  t.teardown(async () => { await t1.end(); await t2.end() })
  const text = (label: string) => `INSERT INTO audit_log (action, entity_type, entity_id, after) VALUES ('update', 'wing', '${label}', '{"name":"x"}')`
  const from = await latest()

  await t1.query('BEGIN')
  await t1.query(text('overlap-early'))
  await t2.query('BEGIN')
  await t2.query(text('overlap-late'))
  await t2.query('COMMIT')
  const seen = await readAll(from)
  t.same(seen.items.map(c => c.entityId), ['overlap-late'], 'the later transaction, committed, is in the feed; the open one is not yet')

  await t1.query('COMMIT')
  const resumed = await readAll(seen.cursor)
  t.same(resumed.items.map(c => c.entityId), ['overlap-early'], 'resuming from its cursor, the earlier transaction that committed later is there')
  const ids = await rows<{ entity_id: string, id: number, position: number }>(app.db, sql`
    SELECT entity_id, id, position FROM changes WHERE entity_id IN ('overlap-early', 'overlap-late') ORDER BY id`)
  t.same(ids.map(r => r.entity_id), ['overlap-early', 'overlap-late'], 'insert order (an identity) put the early one first...')
  t.ok(ids[0].position > ids[1].position, '...but its position follows the one that committed first')
})

t.test('PostgreSQL: 8 writers and one long transaction; a consumer sees every change once, the quick ones without waiting', { skip: usingPostgres ? false : 'PostgreSQL only (PGlite runs one transaction at a time)' }, async (t) => {
  const state = await createUnit(app, { level: 'state', code: 'CCW', name: 'Concurrent state' })
  const districts = await Promise.all(Array.from({ length: 8 }, (_, i) => createUnit(app, { level: 'district', parentId: state.id, code: `D${i}`, name: `District ${i}` })))
  const from = await latest()

  // The long transaction: an import-sized batch of changes, held open while the others write.
  const long = new pg.Client({ connectionString: databaseUrl })
  await long.connect()
  t.teardown(() => long.end())
  await long.query('BEGIN')
  await long.query(`INSERT INTO audit_log (action, entity_type, entity_id, unit_id, unit_path, after)
    SELECT 'import', 'person', 'long-' || g, $1::uuid, (SELECT path FROM units WHERE id = $1::uuid), '{"person":"created"}'
      FROM generate_series(1, 500) g`, [state.id])

  const committedAt = new Map<string, number>()
  const seenAt = new Map<string, number>()
  const positions: number[] = []
  let cursor = from
  const writing = { open: true } // the long transaction, until it commits
  const consumer = (async () => {
    while (writing.open || seenAt.size < 8 * 12 + 500) {
      const got = await page(`after=${cursor}&limit=200&wait=2`)
      for (const c of got.items) {
        positions.push(c.position)
        if (seenAt.has(c.entityId)) throw new Error(`seen twice: ${c.entityId}`)
        seenAt.set(c.entityId, Date.now())
      }
      cursor = got.nextCursor
      if (!writing.open && got.items.length === 0 && seenAt.size >= 8 * 12 + 500) break
    }
  })()

  await Promise.all(districts.map(async (district, w) => {
    for (let i = 0; i < 12; i++) {
      const unit = await createUnit(app, { level: 'block', parentId: district.id, code: `B${w}X${i}`, name: `Block ${w}.${i}` })
      committedAt.set(unit.id, Date.now())
    }
  }))
  // Every quick change reaches the consumer while the long transaction is still open.
  const deadline = Date.now() + 20_000
  while ([...committedAt.keys()].some(id => !seenAt.has(id)) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
  const quickSeen = [...committedAt.keys()].filter(id => seenAt.has(id)).length
  t.equal(quickSeen, 96, 'all 96 quick changes seen while the long transaction is open')
  const delays = [...committedAt].map(([id, at]) => (seenAt.get(id) ?? Infinity) - at).sort((a, b) => a - b)
  t.ok(delays[Math.floor(delays.length / 2)] < 1_000, `median delay from commit to consumer ${delays[Math.floor(delays.length / 2)]} ms`)
  t.ok(delays[delays.length - 1] < 2_000, `slowest ${delays[delays.length - 1]} ms (the promise is within a second; shared CI cores get slack)`)

  await long.query('COMMIT')
  writing.open = false
  await consumer
  t.equal(seenAt.size, 96 + 500, 'every change seen, and nothing else')
  t.ok([...seenAt.keys()].filter(id => id.startsWith('long-')).length === 500, 'the long transaction\'s 500 changes, after it committed')
  t.same(positions, [...positions].sort((a, b) => a - b), 'in increasing position order')
  t.equal(new Set(positions).size, positions.length, 'each exactly once')
})

t.test('a cursor below the retention floor is 410 with how to start again', async (t) => {
  const before = await latest()
  await createUnit(app, { level: 'state', code: 'CEX', name: 'Expiring' })
  await settle()
  // Everything numbered so far is older than "tomorrow": all of it expires.
  await rows(app.db, sql`SELECT expire_changes(now() + interval '1 day')`)
  const gone = await call(app, { method: 'GET', url: `/v1/changes?after=${before}` })
  t.equal(gone.status, 410)
  t.equal(gone.json.code, 'cursor_expired')
  t.match(gone.json.detail, /after=latest/)
  const head = await page('after=latest')
  t.equal(gone.json.latestCursor, head.nextCursor, 'the problem gives the cursor to follow from after resynchronising')
  const fromOldest = await page('')
  t.same(fromOldest.items, [], 'nothing is left from before')
  t.equal(fromOldest.nextCursor, head.nextCursor)
  const stream = await call(app, { method: 'GET', url: '/v1/changes', headers: { accept: 'text/event-stream', 'last-event-id': before } })
  t.equal(stream.status, 410, 'an event stream resumed from there too')
  await createUnit(app, { level: 'state', code: 'CEY', name: 'After expiry' })
  const after = await readAll(head.nextCursor)
  t.same(after.items.map(c => c.type), ['unit.created'], 'the feed goes on from the head')
})
