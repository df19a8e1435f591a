import http from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import t from 'tap'
import { ADMIN_KEY, buildTestApp, call, mintKey, usingPostgres } from './helpers/app.js'
import { csv } from './helpers/imports.js'
import { activeMember } from './helpers/people.js'
import { createChain } from './helpers/tree.js'
import { untilDefined } from './helpers/wait.js'

/**
 * No caller can starve the others: uploads that stall hold no more than the import budget,
 * are cut when they fall silent, and reads by other keys go on answering. On whichever
 * backend the suite runs (PGlite spools uploads to disk; PostgreSQL streams them into a
 * connection of the import's own, within the budget).
 */

// Long enough that a refusal (429) is always answered before an idle socket is cut, even
// on a loaded 2-core machine; short enough that the silent uploads are cut quickly.
const IDLE_MS = 3_000
const { app, databaseUrl } = await buildTestApp(t, {
  SOCKET_IDLE_TIMEOUT_MS: String(IDLE_MS),
  IMPORT_CONCURRENCY: '3',
  IMPORT_CONCURRENCY_PER_KEY: '2',
  LOCK_TIMEOUT_MS: '300',
  RATE_LIMIT_MAX: '100000'
})
const tree = await createChain(app, 'STL')
await app.listen({ port: 0, host: '127.0.0.1' })
const port = (app.server.address() as AddressInfo).port
const importers = [await mintKey(app, 'importer'), await mintKey(app, 'importer'), await mintKey(app, 'importer')]
const reader = await mintKey(app, 'reader')

/** Imports still running, as their records say. */
async function running (): Promise<number> {
  return (await call(app, { method: 'GET', url: '/v1/imports?status=running&limit=500' })).json.items.length
}

/** Starts a chunked upload, sends its header line and then nothing; resolves how it ended. */
function stalledUpload (key: string) {
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/imports/booth-presidents', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' } })
  const ended = new Promise<{ status?: number, error?: string }>(resolve => {
    req.on('response', (res) => { res.resume(); resolve({ status: res.statusCode }) })
    req.on('error', (err) => resolve({ error: err.message }))
  })
  req.write('booth,name,voter_id\n')
  return { req, ended }
}

t.test('twenty stalled uploads: the budget refuses the extra ones, reads by other keys all answer', async (t) => {
  // The keys known to the verifier's cache, so a refusal needs no database round trip.
  for (const key of importers) await call(app, { method: 'GET', url: '/v1/imports?limit=1' }, key)
  const uploads = Array.from({ length: 20 }, (_, i) => stalledUpload(importers[i % importers.length]))
  // The extra uploads are refused at once, with Retry-After.
  const refused = await Promise.race([
    Promise.all(uploads.map(u => u.ended)).then(() => 'all ended'),
    new Promise<string>(resolve => setTimeout(() => resolve('some still open'), IDLE_MS / 2))
  ])
  t.equal(refused, 'some still open', 'the uploads within the budget are still waiting for their file')

  const reads = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    call(app, { method: 'GET', url: i % 2 ? `/v1/units/${tree.district.id}/coverage` : `/v1/units/${tree.booth.id}` }, reader)))
  t.same([...new Set(reads.map(r => r.status))], [200], 'fifty reads by another key: all 200')
  t.equal((await call(app, { method: 'GET', url: '/health/ready' }, null)).status, 200, '/health/ready stays 200')
  const write = await call(app, { method: 'PATCH', url: `/v1/units/${tree.ward.id}`, payload: { name: 'Ward, renamed while uploads stall' } })
  t.equal(write.status, 200, 'and a write too')

  // Silent uploads are cut by the server; the refused ones were answered 429.
  const outcomes = await Promise.all(uploads.map(u => u.ended))
  const busy = outcomes.filter(o => o.status === 429)
  t.equal(busy.length, 20 - 3, 'three run (two per key at most), seventeen are refused')
  const cut = outcomes.filter(o => o.status !== 429)
  t.equal(cut.length, 3)
  t.ok(cut.every(o => o.error !== undefined || o.status === 400 || o.status === 503), `the stalled ones are cut: ${JSON.stringify(cut)}`)

  // Once they are gone, the budget is free again.
  await untilDefined('the cut imports to finish', async () => (await running()) === 0 || undefined)
  const after = await call(app, {
    method: 'POST',
    url: '/v1/imports/booth-presidents',
    payload: csv('booth,name,voter_id', 'STLS/D1/B1/W1/AC072-PS0145,After The Stall,STL0000001'),
    headers: { 'content-type': 'text/csv' }
  }, importers[0])
  t.equal(after.status, 200, after.body)
})

t.test('a 429 from the budget says when to come back', async (t) => {
  const held = [stalledUpload(importers[0]), stalledUpload(importers[0])]
  // Once both hold their place, a third from the same key is over its share.
  await untilDefined('both uploads to start their imports', async () => (await running()) === 2 || undefined)
  const third = await call(app, { method: 'POST', url: '/v1/imports/units', payload: 'state\nZZ\n', headers: { 'content-type': 'text/csv' } }, importers[0])
  t.equal(third.status, 429, third.body)
  t.equal(third.json.code, 'imports_busy')
  t.match(third.headers['retry-after'], /^\d+$/)
  for (const h of held) h.req.destroy()
  await Promise.all(held.map(h => h.ended))
})

t.test('a slow upload that keeps moving is not cut', async (t) => {
  const lines = Array.from({ length: 5 }, (_, i) => `STLS/D1/B1/W1/AC072-PS0145,Slow Row ${i},STL000010${i}\n`)
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/imports/booth-presidents?dryRun=true', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'text/csv' } })
  const answered = new Promise<number | undefined>(resolve => {
    req.on('response', (res) => { res.resume(); resolve(res.statusCode) })
    req.on('error', () => resolve(undefined))
  })
  req.write('booth,name,voter_id\n')
  // Each pause is shorter than the idle limit; together they last well beyond it.
  for (const line of lines) {
    await new Promise(resolve => setTimeout(resolve, IDLE_MS / 3))
    req.write(line)
  }
  req.end()
  t.equal(await answered, 200, `${lines.length * IDLE_MS / 3} ms of upload, never silent for ${IDLE_MS} ms`)
})

t.test('an interactive write waiting behind a bulk lock gets a 503 with Retry-After, not a hang', { skip: !usingPostgres && 'PGlite has one connection: no other session can hold a lock' }, async (t) => {
  const { person } = await activeMember(app, tree.booth.id, 'Waits Behind The Import')
  // What a presidents import holds for its whole transaction.
  const bulk = new pg.Client({ connectionString: databaseUrl })
  await bulk.connect()
  await bulk.query('BEGIN')
  await bulk.query('LOCK TABLE appointments IN SHARE ROW EXCLUSIVE MODE')
  const started = Date.now()
  const res = await call(app, { method: 'POST', url: '/v1/appointments', payload: { personId: person.id, unitId: tree.ward.id, role: 'treasurer' } })
  t.equal(res.status, 503)
  t.equal(res.json.code, 'busy')
  t.match(res.headers['retry-after'], /^\d+$/)
  t.ok(Date.now() - started < 5_000, 'refused after the lock timeout, not after the import')
  await bulk.query('ROLLBACK')
  await bulk.end()
  const again = await call(app, { method: 'POST', url: '/v1/appointments', payload: { personId: person.id, unitId: tree.ward.id, role: 'treasurer' } })
  t.equal(again.status, 201, 'once the lock is gone the same write goes through')
})
