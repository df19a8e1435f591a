import { randomBytes, randomInt } from 'node:crypto'
import { eq } from 'drizzle-orm'
import t from 'tap'
import { findCredentials, type KeyCredentials } from '../src/access/keys.js'
import { generateSecret, hashSecret, isWellFormedSecret } from '../src/access/secret.js'
import { databaseKeyStore, KeyVerifier, VERIFIER_DEFAULTS, type KeyStore } from '../src/access/verifier.js'
import { apiKeys } from '../src/db/schema.js'
import { ADMIN_KEY, buildTestApp, mintKey } from './helpers/app.js'

// The verifier on its own, against the real database, every lookup counted on the way.
const { app } = await buildTestApp(t)

function countingStore (inner: KeyStore = databaseKeyStore(app.db)) {
  const store = {
    lookups: 0,
    uses: 0,
    findCredentials: async (hash: string) => { store.lookups++; return inner.findCredentials(hash) },
    recordUse: async (id: string) => { store.uses++; return inner.recordUse(id) }
  }
  return store
}

const randomWellFormed = () => 'sg_' + randomBytes(32).toString('base64url')
const revokeInDatabase = (secret: string) =>
  app.db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.secretHash, hashSecret(secret)))
/** A clock the test moves by hand, so that a TTL passes (or not) exactly when it says. */
function manualClock () {
  let now = Date.now()
  return { now: () => now, advance: (ms: number) => { now += ms } }
}

t.test('what a well-formed secret is', async (t) => {
  t.ok(isWellFormedSecret(generateSecret()), 'a minted key')
  t.ok(isWellFormedSecret(ADMIN_KEY), 'a bootstrap key of the operator\'s choosing')
  t.ok(isWellFormedSecret('x'.repeat(20)), '20 characters')
  t.ok(isWellFormedSecret('!'.repeat(200)), '200 visible characters')
  t.notOk(isWellFormedSecret('x'.repeat(19)), '19 characters')
  t.notOk(isWellFormedSecret('x'.repeat(201)), '201 characters')
  t.notOk(isWellFormedSecret('sg_has a space in the middle_0000'), 'a space')
  t.notOk(isWellFormedSecret('sg_tab\tinside_the_secret_0000'), 'a tab')
  t.notOk(isWellFormedSecret('sg_ünïcödé_is_not_ascii_000000'), 'non-ASCII')
  t.notOk(isWellFormedSecret('sg_control\u0000character_0000000'), 'a control character')
})

t.test('malformed secrets never reach the database', async (t) => {
  const store = countingStore()
  const verifier = new KeyVerifier(store)
  const malformed = [
    '', 'undefined', 'null', 'Bearer', 'x'.repeat(19), 'x'.repeat(201), 'x'.repeat(100_000),
    'sg_with spaces_in_it_000000000000', 'sg_ünïcödé_is_not_ascii_000000', 'sg_new\nline_in_the_secret_0000'
  ]
  for (let i = 0; i < 10_000; i++) {
    malformed.push(i % 2 === 0
      ? randomBytes(randomInt(0, 15)).toString('base64url')
      : randomBytes(randomInt(160, 400)).toString('base64'))
  }
  for (const secret of malformed) {
    const verdict = await verifier.verify(secret)
    if (verdict.ok || verdict.reason !== 'malformed_key') t.fail(`${JSON.stringify(secret.slice(0, 30))} was not refused as malformed`)
  }
  t.equal(store.lookups, 0, `${malformed.length} malformed secrets, no lookup`)
  t.equal(verifier.stats.unknown, 0, 'and nothing cached for them')
  t.same(await verifier.verify(randomWellFormed()), { ok: false, reason: 'invalid_key' })
  t.equal(store.lookups, 1, 'a well-formed unknown secret is looked up (the counter does count)')
})

t.test('a stream of unknown secrets cannot push a key out of the cache', async (t) => {
  const secret = await mintKey(app, 'reader')
  const store = countingStore()
  // A long TTL: the property is eviction, not expiry. Small bounds, so that a stream past
  // both is a few hundred real lookups (each a PGlite round trip), not thousands.
  const verifier = new KeyVerifier(store, { ttlMs: 10 * 60_000, maxKeys: 100, maxUnknown: 40 })
  t.equal((await verifier.verify(secret)).ok, true)
  // More than both bounds: one shared cache, or a cache that empties when full, loses the key.
  const flood = 250
  for (let i = 0; i < flood; i++) {
    const verdict = await verifier.verify(randomWellFormed())
    if (verdict.ok || verdict.reason !== 'invalid_key') t.fail('an unknown secret was accepted')
  }
  t.equal(store.lookups, 1 + flood, 'every new unknown secret was looked up in the database')
  t.equal(verifier.stats.unknown, 40, 'unknown secrets fill their own cache and no more')
  t.equal(verifier.stats.keys, 1)
  const before = store.lookups
  t.equal((await verifier.verify(secret)).ok, true)
  t.equal(store.lookups, before, 'the key is still cached: no query')
})

t.test('60,000 unknown secrets at the default bounds: the key stays cached', async (t) => {
  const secret = await mintKey(app, 'reader')
  // More than both default bounds (10,000 unknown, 50,000 keys): one shared cache would lose
  // the key too. 60,000 PGlite round trips take minutes, so this stream is answered from a
  // snapshot of the real key table, read from the database once; the count is what matters.
  const rows = await app.db.select({ hash: apiKeys.secretHash }).from(apiKeys)
  const table = new Map<string, KeyCredentials>()
  for (const { hash } of rows) table.set(hash, (await findCredentials(app.db, hash))!)
  const store = countingStore({ findCredentials: async (hash) => table.get(hash), recordUse: async () => {} })
  const verifier = new KeyVerifier(store, { ...VERIFIER_DEFAULTS, ttlMs: 10 * 60_000 })
  t.equal((await verifier.verify(secret)).ok, true)
  for (let i = 0; i < 60_000; i++) {
    if ((await verifier.verify(randomWellFormed())).ok) t.fail('an unknown secret was accepted')
  }
  t.equal(store.lookups, 60_001)
  t.equal(verifier.stats.unknown, VERIFIER_DEFAULTS.maxUnknown, 'the unknown cache stays at its bound')
  const before = store.lookups
  t.equal((await verifier.verify(secret)).ok, true)
  t.equal(store.lookups, before, 'the key is still cached: no query')
})

t.test('a key revoked elsewhere stops working within the TTL; revoked here, at once', async (t) => {
  const store = countingStore()
  const clock = manualClock()
  const verifier = new KeyVerifier(store, { ...VERIFIER_DEFAULTS, ttlMs: 300, now: clock.now })
  const elsewhere = await mintKey(app, 'reader')
  t.equal((await verifier.verify(elsewhere)).ok, true)
  await revokeInDatabase(elsewhere) // as another instance does: this verifier is not told
  clock.advance(299)
  const stillCached = await verifier.verify(elsewhere)
  t.equal(stillCached.ok, true, 'within the TTL the cached answer stands (the bounded window)')
  clock.advance(1)
  t.same(await verifier.verify(elsewhere), { ok: false, reason: 'key_revoked' }, 'after the TTL the database is asked again')

  const here = await mintKey(app, 'reader')
  const verdict = await verifier.verify(here)
  t.equal(verdict.ok, true)
  await revokeInDatabase(here)
  verifier.forget((verdict as { key: KeyCredentials }).key.id)
  t.same(await verifier.verify(here), { ok: false, reason: 'key_revoked' }, 'forget() applies at once')
})

t.test('verifyKnown: keys this instance knows, never a lookup for anything else', async (t) => {
  const store = countingStore()
  const clock = manualClock()
  const verifier = new KeyVerifier(store, { ...VERIFIER_DEFAULTS, ttlMs: 200, now: clock.now })
  const secret = await mintKey(app, 'reader')
  t.equal(await verifier.verifyKnown(secret), undefined, 'a key not yet seen here is not known')
  t.equal(await verifier.verifyKnown(randomWellFormed()), undefined)
  t.equal(await verifier.verifyKnown('short'), undefined)
  t.equal(store.lookups, 0, 'and none of them was looked up')
  t.equal((await verifier.verify(secret)).ok, true)
  t.equal((await verifier.verifyKnown(secret))?.ok, true)
  t.equal(store.lookups, 1, 'a fresh answer is used as is')
  clock.advance(200)
  await revokeInDatabase(secret)
  t.same(await verifier.verifyKnown(secret), { ok: false, reason: 'key_revoked' }, 'a stale answer is checked again')
  t.equal(store.lookups, 2)
})

t.test('last use is recorded at most once a minute per key', async (t) => {
  const store = countingStore()
  const verifier = new KeyVerifier(store, { ...VERIFIER_DEFAULTS, ttlMs: 0 })
  const one = await mintKey(app, 'reader')
  const two = await mintKey(app, 'reader')
  for (let i = 0; i < 20; i++) {
    await verifier.verify(one)
    await verifier.verify(two)
  }
  t.equal(store.lookups, 40, 'a TTL of 0 caches nothing')
  t.equal(store.uses, 2, 'one write per key')
})

t.test('verifyFresh answers from memory only, and only within the TTL', async (t) => {
  const store = countingStore()
  const clock = manualClock()
  const verifier = new KeyVerifier(store, { ...VERIFIER_DEFAULTS, ttlMs: 4_000, now: clock.now })
  const secret = randomWellFormed()
  t.equal(verifier.verifyFresh(secret), undefined, 'an unknown secret: no verdict')
  t.equal(verifier.verifyFresh('short'), undefined, 'a malformed secret: no verdict')
  t.equal(verifier.verifyFresh(ADMIN_KEY), undefined, 'a key not yet checked here: no verdict')
  t.equal(store.lookups, 0, 'and no lookup')
  t.ok((await verifier.verify(ADMIN_KEY)).ok)
  t.equal(store.lookups, 1)
  t.ok(verifier.verifyFresh(ADMIN_KEY)?.ok, 'checked within the TTL: accepted from memory')
  clock.advance(4_000)
  t.equal(verifier.verifyFresh(ADMIN_KEY), undefined, 'once the TTL has passed: no verdict, verify must ask again')
  t.equal(store.lookups, 1, 'verifyFresh never looks up')
})
