import { sql } from 'drizzle-orm'
import t, { type Test } from 'tap'
import { rows } from '../src/db/client.js'
import { buildTestApp, call, mintKey } from './helpers/app.js'
import { counterDrift } from './helpers/counters.js'
import { csv, postImport } from './helpers/imports.js'
import { activeMember, appoint, createPerson } from './helpers/people.js'
import { createUnit, type Unit } from './helpers/tree.js'

/**
 * The social media duty: handles per platform in one canonical form (the database's
 * canonical_handle), one person per handle, and the policy's compliance report, exact
 * after every write, scoped like everything else.
 */

const { app } = await buildTestApp(t)
const get = async (url: string, key?: string) => call(app, { method: 'GET', url }, key)
const patch = async (url: string, payload: unknown, key?: string) => call(app, { method: 'PATCH', url, payload: payload as object }, key)

const state = await createUnit(app, { level: 'state', code: 'SMD', name: 'Social State' })
const districtA = await createUnit(app, { level: 'district', parentId: state.id, code: 'DA', name: 'District A' })
const districtB = await createUnit(app, { level: 'district', parentId: state.id, code: 'DB', name: 'District B' })
const blockA = await createUnit(app, { level: 'block', parentId: districtA.id, code: 'B1', name: 'Block A1' })
const wardA = await createUnit(app, { level: 'ward', parentId: blockA.id, code: 'W1', name: 'Ward A1' })
const wardA2 = await createUnit(app, { level: 'ward', parentId: blockA.id, code: 'W2', name: 'Ward A2' })
const boothsA: Unit[] = []
for (let i = 1; i <= 3; i++) boothsA.push(await createUnit(app, { level: 'booth', parentId: wardA.id, code: `PS${i}`, name: `Booth A${i}` }))
const boothA2 = await createUnit(app, { level: 'booth', parentId: wardA2.id, code: 'PS1', name: 'Booth A2-1' })
const blockB = await createUnit(app, { level: 'block', parentId: districtB.id, code: 'B1', name: 'Block B1' })
const wardB = await createUnit(app, { level: 'ward', parentId: blockB.id, code: 'W9', name: 'Ward B9' })
const boothB = await createUnit(app, { level: 'booth', parentId: wardB.id, code: 'PS1', name: 'Booth B1' })

const ALL = { twitter: 'https://x.com/Full_One', youtube: 'youtube.com/@FullOne', facebook: 'https://m.facebook.com/full.one?ref=bookmarks', instagram: '@Full.One' }
const full = await activeMember(app, boothsA[0].id, 'Full Compliance', { handles: ALL })
const partial = await activeMember(app, boothsA[1].id, 'Partial Handles', { twitter: '@partial_p' })
const none = await activeMember(app, boothsA[2].id, 'No Handles')
const wardHead = await activeMember(app, boothsA[0].id, 'Ward Head')
const outsider = await activeMember(app, boothB.id, 'Outside Holder', { twitter: '@outsider' })

t.test('handles: any usual form becomes one canonical handle; the four fields and handles agree', async (t) => {
  const page = await get(`/v1/people/${full.person.id}`)
  t.same(page.json.handles, { facebook: 'full.one', instagram: 'full.one', twitter: 'full_one', youtube: 'fullone' })
  t.match(page.json, { twitter: 'full_one', facebook: 'full.one', instagram: 'full.one', youtube: 'fullone' })
  const [row] = await rows<{ platforms: string[] }>(app.db, sql`SELECT handle_platforms AS platforms FROM people WHERE id = ${full.person.id}`)
  t.same(row.platforms, ['facebook', 'instagram', 'twitter', 'youtube'], 'people.handle_platforms mirrors person_handles')

  const removed = await patch(`/v1/people/${partial.person.id}`, { twitter: null, handles: { twitter: '@Partial_P', youtube: '@Partial.Tube' } })
  t.equal(removed.status, 200)
  t.same(removed.json.handles, { twitter: 'partial_p', youtube: 'partial.tube' }, '`handles` wins over a legacy field that names the same platform')
  const back = await patch(`/v1/people/${partial.person.id}`, { handles: { youtube: null } })
  t.same(back.json.handles, { twitter: 'partial_p' })
  t.not(back.headers.etag, removed.headers.etag, 'a handle change is a new version of the person')
})

t.test('handles: the platform\'s rule refuses what is not a handle (422), a taken one is 409', async (t) => {
  for (const [platform, value] of [['twitter', '@far_too_long_for_x'], ['facebook', 'https://facebook.com/profile.php?id=1'], ['twitter', 'https://instagram.com/someone'], ['youtube', 'ab']]) {
    const res = await patch(`/v1/people/${none.person.id}`, { handles: { [platform]: value } })
    t.equal(res.status, 422, `${platform} ${value}`)
    t.equal(res.json.code, 'invalid_handle')
  }
  const unknown = await patch(`/v1/people/${none.person.id}`, { handles: { myspace: 'someone' } })
  t.equal(unknown.status, 422)
  t.equal(unknown.json.code, 'unknown_platform')

  const taken = await patch(`/v1/people/${none.person.id}`, { twitter: 'https://twitter.com/FULL_ONE' })
  t.equal(taken.status, 409)
  t.equal(taken.json.code, 'handle_taken')
  t.same(taken.json.takenBy, { id: full.person.id, name: 'Full Compliance' }, 'a global key is told who holds it')

  const keyA = await mintKey(app, 'editor', districtA.id)
  const hidden = await patch(`/v1/people/${none.person.id}`, { twitter: '@Outsider' }, keyA)
  t.equal(hidden.status, 409)
  t.equal(hidden.json.code, 'handle_taken')
  t.notOk(hidden.json.takenBy, 'the holder outside the key\'s scope is not named')
  t.notMatch(hidden.body, /Outside Holder/)
  t.notMatch(hidden.body, new RegExp(outsider.person.id))

  const [stored] = await rows<{ n: number }>(app.db, sql`SELECT count(*)::int AS n FROM person_handles WHERE person_id = ${none.person.id}`)
  t.equal(stored.n, 0, 'nothing was written by the refused requests')
})

t.test('handles: the database holds the rule for every writer, not only the API', async (t) => {
  const refused = await app.db.execute(sql`INSERT INTO person_handles (person_id, platform_code, handle) VALUES (${none.person.id}, 'twitter', 'not a handle!')`)
    .then(() => undefined, (err: any) => err.cause ?? err)
  t.match(refused, { code: '23514', constraint: 'person_handles_handle_check', message: /is not a valid twitter handle/ })
  await app.db.execute(sql`INSERT INTO person_handles (person_id, platform_code, handle) VALUES (${none.person.id}, 'instagram', 'HTTPS://www.Instagram.com/None.Yet/')`)
  const [row] = await rows<{ handle: string, platforms: string[] }>(app.db, sql`
    SELECT h.handle, p.handle_platforms AS platforms FROM person_handles h JOIN people p ON p.id = h.person_id WHERE h.person_id = ${none.person.id}`)
  t.same(row, { handle: 'none.yet', platforms: ['instagram'] })
  await app.db.execute(sql`DELETE FROM person_handles WHERE person_id = ${none.person.id}`)
})

t.test('the compliance report: bound presidents, the compliant, per platform; exact after each write', async (t) => {
  await appoint(app, { personId: full.person.id, unitId: boothsA[0].id, role: 'president' })
  await appoint(app, { personId: partial.person.id, unitId: boothsA[1].id, role: 'president' })
  await appoint(app, { personId: none.person.id, unitId: boothsA[2].id, role: 'president' })
  await appoint(app, { personId: wardHead.person.id, unitId: wardA.id, role: 'president' })
  await appoint(app, { personId: outsider.person.id, unitId: boothB.id, role: 'president' })
  // Not bound: a committee member's post carries no duty.
  const member = await activeMember(app, boothsA[1].id, 'Committee Member')
  await appoint(app, { personId: member.person.id, unitId: boothsA[1].id, role: 'committee_member' })

  const res = await get(`/v1/units/${state.id}/social-media`)
  t.equal(res.status, 200)
  t.match(res.json.unit, { codePath: 'SMD', bound: 5, compliant: 1, share: 0.2 })
  t.same(res.json.unit.platforms, [
    { platform: 'twitter', bound: 5, held: 3 },
    { platform: 'youtube', bound: 5, held: 1 },
    { platform: 'facebook', bound: 5, held: 1 },
    { platform: 'instagram', bound: 5, held: 1 }
  ])
  t.same(res.json.children.map((c: any) => [c.codePath, c.bound, c.compliant]), [['SMD/DA', 4, 1], ['SMD/DB', 1, 0]])

  const wardPresidents = await get(`/v1/units/${districtA.id}/social-media?role=president&postLevel=ward&level=ward`)
  t.same(wardPresidents.json.children.map((c: any) => [c.codePath, c.bound, c.compliant]), [['SMD/DA/B1/W1', 1, 0], ['SMD/DA/B1/W2', 0, 0]], 'ward presidents, per ward')
  t.match(wardPresidents.json.unit, { bound: 1, compliant: 0 })

  const booths = await get(`/v1/units/${wardA.id}/social-media`)
  t.same(booths.json.children.map((c: any) => [c.code, c.bound, c.compliant]), [['PS1', 1, 1], ['PS2', 1, 0], ['PS3', 1, 0]], 'a booth\'s row, read from its own terms')
  t.same(await counterDrift(app.db), [], 'maintained counters equal a recount')

  // The ward head gains every handle: compliant everywhere above, at once.
  await patch(`/v1/people/${wardHead.person.id}`, { handles: { twitter: '@wardhead', youtube: '@wardhead', facebook: 'ward.head', instagram: 'wardhead' } })
  t.match((await get(`/v1/units/${state.id}/social-media`)).json.unit, { bound: 5, compliant: 2 })
  t.same(await counterDrift(app.db), [])

  // A move of the ward to another district takes its bound terms along.
  const moved = await call(app, { method: 'POST', url: `/v1/units/${wardA.id}/move`, payload: { parentId: blockB.id } })
  t.equal(moved.status, 200, moved.body)
  const after = await get(`/v1/units/${state.id}/social-media`)
  t.same(after.json.children.map((c: any) => [c.codePath, c.bound, c.compliant]), [['SMD/DA', 0, 0], ['SMD/DB', 5, 2]])
  t.same(await counterDrift(app.db), [], 'exact after the move')
  t.equal((await call(app, { method: 'POST', url: `/v1/units/${wardA.id}/move`, payload: { parentId: blockA.id } })).status, 200)

  // The policy is data: adding a duty recounts, and the report follows.
  await app.db.execute(sql`INSERT INTO handle_duties (wing_code, role_code, level, platform_code) VALUES ('main', 'committee_member', 'booth', 'twitter')`)
  const widened = await get(`/v1/units/${state.id}/social-media?role=committee_member`)
  t.match(widened.json.unit, { bound: 1, compliant: 0, platforms: [{ platform: 'twitter', bound: 1, held: 0 }] })
  await app.db.execute(sql`DELETE FROM handle_duties WHERE role_code = 'committee_member'`)
  t.same(await counterDrift(app.db), [])
})

t.test('the non-compliant: pages, filters, scope, masking and CSV', async (t) => {
  const all = await get(`/v1/units/${state.id}/social-media/non-compliant?limit=2`)
  t.equal(all.status, 200)
  t.same(all.json.items.map((i: any) => [i.unitCodePath, i.person.name, i.missing]), [
    ['SMD/DA/B1/W1/PS2', 'Partial Handles', ['youtube', 'facebook', 'instagram']],
    ['SMD/DA/B1/W1/PS3', 'No Handles', ['twitter', 'youtube', 'facebook', 'instagram']]
  ])
  const rest = await get(`/v1/units/${state.id}/social-media/non-compliant?limit=2&cursor=${all.json.nextCursor}`)
  t.same(rest.json.items.map((i: any) => i.person.name), ['Outside Holder'])
  t.equal(rest.json.nextCursor, null)

  const noTwitter = await get(`/v1/units/${state.id}/social-media/non-compliant?platform=twitter`)
  t.same(noTwitter.json.items.map((i: any) => i.person.name), ['No Handles'])

  const reader = await mintKey(app, 'reader', districtA.id, { maskPersonalData: true })
  const scoped = await get(`/v1/units/${districtA.id}/social-media/non-compliant`, reader)
  t.same(scoped.json.items.map((i: any) => i.person.name), ['Partial Handles', 'No Handles'])
  t.notOk(scoped.json.items.some((i: any) => /^\+91[0-9]{10}$/.test(i.person.phone ?? '')), 'phones masked for a masking key')
  t.equal((await get(`/v1/units/${state.id}/social-media`, reader)).status, 404, 'a unit outside the key\'s scope is not found')

  const sheet = await call(app, { method: 'GET', url: `/v1/units/${districtA.id}/social-media/non-compliant?format=csv` })
  t.equal(sheet.status, 200)
  t.match(sheet.headers['content-type'], /text\/csv/)
  const lines = sheet.body.replace(/^\uFEFF/, '').trim().split(/\r?\n/)
  t.equal(lines[0], 'unit_code_path,wing,role,post_level,name,phone,missing,handles,start_date,person_id,unit_id,appointment_id')
  t.equal(lines.length, 3)
  const [audit] = await rows<{ n: number }>(app.db, sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'export' AND entity_type = 'social_media_non_compliant'`)
  t.equal(audit.n, 1, 'the download is in the audit trail')

  const report = await call(app, { method: 'GET', url: `/v1/units/${state.id}/social-media`, headers: { accept: 'text/csv' } })
  const reportLines = report.body.replace(/^\uFEFF/, '').trim().split(/\r?\n/)
  t.equal(reportLines[0], 'code_path,code,name,level,bound,compliant,share,twitter_bound,twitter_held,youtube_bound,youtube_held,facebook_bound,facebook_held,instagram_bound,instagram_held,unit_id')
  t.match(reportLines[1], /^SMD,SMD,Social State,state,5,2,0.4,5,4,/)
  t.equal(reportLines.length, 4, 'a header, the state, then its two districts')

  const bad = await get(`/v1/units/${districtA.id}/social-media?level=state`)
  t.equal(bad.status, 422)
  t.equal(bad.json.code, 'level_not_below_unit')
})

t.test('the presidents import: handles checked per line, canonical, and counted', async (t) => {
  const file = csv('booth,name,phone,voter_id,twitter,facebook,instagram,youtube',
    'SMD/DA/B1/W2/PS1,Import Ok,,IMP1234567,https://x.com/Import_OK,import.ok,@import.ok,youtube.com/@importok',
    'SMD/DA/B1/W2/PS1,Import Bad,,IMP1234568,not valid!,,,',
    'SMD/DA/B1/W2/PS1,Import Taken,,IMP1234569,@full_one,,,')
  const res = await postImport(app, 'booth-presidents', file, { query: 'mode=partial' })
  t.equal(res.status, 200, res.body)
  t.same(res.json.errors.map((e: any) => [e.line, e.code, e.column]), [[3, 'invalid_twitter', 'twitter'], [4, 'twitter_taken', 'twitter']])
  const [imported] = await rows<{ handles: Record<string, string> }>(app.db, sql`
    SELECT jsonb_object_agg(h.platform_code, h.handle) AS handles FROM person_handles h JOIN people p ON p.id = h.person_id WHERE p.voter_id = 'IMP1234567'`)
  t.same(imported.handles, { twitter: 'import_ok', facebook: 'import.ok', instagram: 'import.ok', youtube: 'importok' })
  t.match((await get(`/v1/units/${wardA2.id}/social-media`)).json.unit, { bound: 1, compliant: 1 })
  t.same(await counterDrift(app.db), [])
})

t.test('a person deleted takes their handles along', async (t) => {
  const temp = await createPerson(app, { name: 'Temporary', homeBoothId: boothA2.id, twitter: '@temporary' })
  t.equal((await call(app, { method: 'DELETE', url: `/v1/people/${temp.id}` })).status, 204)
  const [left] = await rows<{ n: number }>(app.db, sql`SELECT count(*)::int AS n FROM person_handles WHERE handle = 'temporary'`)
  t.equal(left.n, 0)
})

t.test('the social media catalogue: platforms, duty and handle issues', async (t) => {
  /**
   * The social media catalogue: platforms (global, global admins change them), the duty
   * that binds posts to platforms (its counters recounted by the database on every change)
   * and the handle issues an admin reviews, each key only within its subtree.
   */

  const { app } = await buildTestApp(t)
  const get = async (url: string, key?: string) => call(app, { method: 'GET', url }, key)
  const db = app.db

  const state = await createUnit(app, { level: 'state', code: 'SMC', name: 'Social State' })
  const districtA = await createUnit(app, { level: 'district', parentId: state.id, code: 'DA', name: 'District A' })
  const districtB = await createUnit(app, { level: 'district', parentId: state.id, code: 'DB', name: 'District B' })
  const blockA = await createUnit(app, { level: 'block', parentId: districtA.id, code: 'B1', name: 'Block A' })
  const wardA = await createUnit(app, { level: 'ward', parentId: blockA.id, code: 'W1', name: 'Ward A' })
  const boothA = await createUnit(app, { level: 'booth', parentId: wardA.id, code: 'PS1', name: 'Booth A' })
  const blockB = await createUnit(app, { level: 'block', parentId: districtB.id, code: 'B1', name: 'Block B' })
  const wardB = await createUnit(app, { level: 'ward', parentId: blockB.id, code: 'W1', name: 'Ward B' })
  const boothB = await createUnit(app, { level: 'booth', parentId: wardB.id, code: 'PS1', name: 'Booth B' })

  const asha = await createPerson(app, { name: 'Asha A', homeBoothId: boothA.id })
  const bhola = await createPerson(app, { name: 'Bhola B', homeBoothId: boothB.id })

  t.test('the seeded platforms, in their order, each with its rule', async (t) => {
    const list = await get('/v1/platforms')
    t.equal(list.status, 200)
    t.same(list.json.items.map((p: any) => p.code), ['twitter', 'youtube', 'facebook', 'instagram'])
    t.same(list.json.items[0], {
      code: 'twitter',
      name: 'X (Twitter)',
      localName: 'एक्स (ट्विटर)',
      handlePattern: '[a-z0-9_]{1,15}',
      urlHosts: ['x.com', 'twitter.com'],
      profileUrl: 'https://x.com/{handle}',
      sortOrder: 10
    })
    t.equal(list.json.nextCursor, null)
    const one = await get('/v1/platforms/youtube')
    t.equal(one.status, 200)
    t.equal(one.headers.etag, '"v1"')
    t.equal(one.json.profileUrl, 'https://www.youtube.com/@{handle}')
    t.equal((await get('/v1/platforms/myspace')).status, 404)
    t.equal((await get('/v1/platforms/NOT!')).status, 400)
  })

  t.test('a new platform: made by global admins only, and people\'s handles on it are canonical', async (t) => {
    const body = { code: 'threads', name: 'Threads', localName: 'थ्रेड्स', handlePattern: '[a-z0-9._]{1,30}', urlHosts: ['threads.net'], profileUrl: 'https://www.threads.net/@{handle}', sortOrder: 50 }
    const editor = await mintKey(app, 'editor')
    const scopedAdmin = await mintKey(app, 'admin', districtA.id)
    t.equal((await call(app, { method: 'POST', url: '/v1/platforms', payload: body }, editor)).status, 403, 'an editor may not')
    t.equal((await call(app, { method: 'POST', url: '/v1/platforms', payload: body }, scopedAdmin)).status, 403, 'an admin scoped to a district may not')

    for (const handlePattern of ['[a-z', 'a)|(b', '***=abc']) {
      const bad = await call(app, { method: 'POST', url: '/v1/platforms', payload: { ...body, handlePattern } })
      t.equal(bad.status, 422, `${handlePattern} is refused`)
      t.equal(bad.json.code, 'invalid_handle_pattern')
    }
    t.equal((await call(app, { method: 'POST', url: '/v1/platforms', payload: { ...body, profileUrl: 'http://threads.net/{handle}' } })).status, 400, 'https only')
    t.equal((await call(app, { method: 'POST', url: '/v1/platforms', payload: { ...body, profileUrl: 'https://threads.net/' } })).status, 400, '{handle} is needed')
    t.equal((await call(app, { method: 'POST', url: '/v1/platforms', payload: { ...body, code: 'X' } })).status, 400)

    const made = await call(app, { method: 'POST', url: '/v1/platforms', payload: body })
    t.equal(made.status, 201)
    t.equal(made.headers.location, '/v1/platforms/threads')
    t.equal(made.headers.etag, '"v1"')
    t.same(made.json, { code: 'threads', name: 'Threads', localName: 'थ्रेड्स', handlePattern: '[a-z0-9._]{1,30}', urlHosts: ['threads.net'], profileUrl: 'https://www.threads.net/@{handle}', sortOrder: 50 })
    const again = await call(app, { method: 'POST', url: '/v1/platforms', payload: body })
    t.equal(again.status, 409)
    t.equal(again.json.code, 'platform_exists')
    t.same((await get('/v1/platforms')).json.items.map((p: any) => p.code), ['twitter', 'youtube', 'facebook', 'instagram', 'threads'])

    // The person's handle on it goes through the database's own rule.
    const set = await call(app, { method: 'PATCH', url: `/v1/people/${asha.id}`, payload: { handles: { threads: '@Some_One' } } })
    t.equal(set.status, 200, set.body)
    t.equal(set.json.handles?.threads, 'some_one')
    t.equal((await get(`/v1/people/${asha.id}`)).json.handles.threads, 'some_one', 'read back canonical')
    const invalid = await call(app, { method: 'PATCH', url: `/v1/people/${bhola.id}`, payload: { handles: { threads: '@no spaces allowed' } } })
    t.equal(invalid.json.code, 'invalid_handle')
    const taken = await call(app, { method: 'PATCH', url: `/v1/people/${bhola.id}`, payload: { handles: { threads: 'https://www.threads.net/@SOME_ONE' } } })
    t.equal(taken.status, 409, 'the profile address is read for its handle, which Asha holds')
    t.equal(taken.json.code, 'handle_taken')

    // Changes: If-Match honoured; the code never changes; a rule that would strand a stored handle is refused.
    t.equal((await call(app, { method: 'PATCH', url: '/v1/platforms/threads', payload: { name: 'Threads (Meta)' } }, scopedAdmin)).status, 403)
    const stale = await call(app, { method: 'PATCH', url: '/v1/platforms/threads', payload: { name: 'Threads (Meta)' }, headers: { 'if-match': '"v9"' } })
    t.equal(stale.status, 412)
    t.equal(stale.json.code, 'etag_mismatch')
    const renamed = await call(app, { method: 'PATCH', url: '/v1/platforms/threads', payload: { name: 'Threads (Meta)' }, headers: { 'if-match': '"v1"' } })
    t.equal(renamed.status, 200)
    t.equal(renamed.headers.etag, '"v2"')
    t.equal(renamed.json.name, 'Threads (Meta)')
    t.equal((await call(app, { method: 'PATCH', url: '/v1/platforms/threads', payload: { code: 'threads2' } })).status, 400, 'the code is not a field to change')
    t.equal((await call(app, { method: 'PATCH', url: '/v1/platforms/threads', payload: {} })).status, 400)
    const narrower = await call(app, { method: 'PATCH', url: '/v1/platforms/threads', payload: { handlePattern: '[a-z0-9.]{1,30}' } })
    t.equal(narrower.status, 409, 'some_one would no longer be a handle')
    t.equal(narrower.json.code, 'pattern_rejects_handles')
    t.equal((await call(app, { method: 'PATCH', url: '/v1/platforms/threads', payload: { handlePattern: '(' } })).json.code, 'invalid_handle_pattern')
    const wider = await call(app, { method: 'PATCH', url: '/v1/platforms/threads', payload: { handlePattern: '[a-z0-9._-]{1,40}' } })
    t.equal(wider.status, 200)
    t.equal(wider.headers.etag, '"v3"')

    // In use: refused while a handle names it, removable once none does.
    const inUse = await call(app, { method: 'DELETE', url: '/v1/platforms/threads' })
    t.equal(inUse.status, 409)
    t.equal(inUse.json.code, 'platform_in_use')
    t.equal((await call(app, { method: 'DELETE', url: '/v1/platforms/twitter' })).json.code, 'platform_in_use', 'the seeded duty names twitter')
    t.equal((await call(app, { method: 'DELETE', url: '/v1/platforms/threads', headers: { 'if-match': '"v1"' } })).status, 412)
    t.equal((await call(app, { method: 'PATCH', url: `/v1/people/${asha.id}`, payload: { handles: { threads: null } } })).status, 200)
    t.equal((await call(app, { method: 'DELETE', url: '/v1/platforms/threads' }, scopedAdmin)).status, 403)
    t.equal((await call(app, { method: 'DELETE', url: '/v1/platforms/threads', headers: { 'if-match': '"v3"' } })).status, 204)
    t.equal((await get('/v1/platforms/threads')).status, 404)
    t.equal((await call(app, { method: 'PATCH', url: `/v1/people/${asha.id}`, payload: { handles: { threads: 'someone' } } })).json.code, 'unknown_platform')

    const audit = await get('/v1/audit?entityType=platform&entityId=threads')
    t.same(audit.json.items.map((a: any) => a.action).sort(), ['create', 'delete', 'update', 'update'])
  })

  // canonical_handle (src/db/routines/22_handles.sql) reads a bare value shaped like a host
  // name ("some.one", "john.smith") as a profile address on an unknown host, and returns
  // NULL. writeHandles checks '@Some.One' (which it reads as a handle: 'some.one') but then
  // inserts 'some.one', which person_handles_canonical runs through canonical_handle again
  // and refuses: no handle with a dot followed by two letters or more can be stored on any
  // platform. Left to the owner of the routines; this passes once that is fixed.
  t.test('a handle with a dot in it is stored canonical', async (t) => {
    const body = { code: 'threads_dot', name: 'Threads (dots)', handlePattern: '[a-z0-9._]{1,30}', urlHosts: ['threads.net'], profileUrl: 'https://www.threads.net/@{handle}' }
    t.equal((await call(app, { method: 'POST', url: '/v1/platforms', payload: body })).status, 201)
    const set = await call(app, { method: 'PATCH', url: `/v1/people/${bhola.id}`, payload: { handles: { threads_dot: '@Some.One' } } })
    t.equal(set.status, 200, set.json?.code)
    t.equal(set.json.handles?.threads_dot, 'some.one')
    await call(app, { method: 'PATCH', url: `/v1/people/${bhola.id}`, payload: { handles: { threads_dot: null } } })
    t.equal((await call(app, { method: 'DELETE', url: '/v1/platforms/threads_dot' })).status, 204)
  })

  t.test('the database\'s refusals on the handle tables read as problems', async (t) => {
    // Straight SQL meets the same constraints the API names (src/db/constraints.ts).
    const { domainErrorFromDatabase } = await import('../src/db/constraints.js')
    const refusedAs = async (statement: ReturnType<typeof sql>) => {
      try { await db.execute(statement) } catch (err) { const e = domainErrorFromDatabase(err); return e && [e.kind, e.code] }
      return undefined
    }
    t.same(await refusedAs(sql`INSERT INTO person_handles (person_id, platform_code, handle) VALUES (${asha.id}, 'myspace', 'x')`), ['unprocessable', 'unknown_platform'])
    t.same(await refusedAs(sql`DELETE FROM social_platforms WHERE code = 'twitter'`), ['conflict', 'platform_in_use'])
    t.same(await refusedAs(sql`INSERT INTO handle_duties (wing_code, role_code, level, platform_code) VALUES ('main', 'president', 'booth', 'twitter')`), ['conflict', 'duty_exists'])
    t.same(await refusedAs(sql`INSERT INTO handle_duties (wing_code, role_code, level, platform_code) VALUES ('main', 'nobody', 'booth', 'twitter')`), ['unprocessable', 'unknown_role'])
    t.same(await refusedAs(sql`INSERT INTO social_platforms (code, name, handle_pattern, profile_url) VALUES ('twitter', 'X', '.*', 'https://x.com/{handle}')`), ['conflict', 'platform_exists'])
    t.same(await refusedAs(sql`INSERT INTO person_handles (person_id, platform_code, handle) VALUES (${asha.id}, 'twitter', 'not a handle!')`), ['unprocessable', 'invalid_handle'])
    await db.execute(sql`INSERT INTO person_handles (person_id, platform_code, handle) VALUES (${asha.id}, 'instagram', 'asha_a')`)
    t.same(await refusedAs(sql`INSERT INTO person_handles (person_id, platform_code, handle) VALUES (${bhola.id}, 'instagram', '@Asha_A')`), ['conflict', 'handle_taken'])
    await db.execute(sql`DELETE FROM person_handles WHERE person_id = ${asha.id} AND platform_code = 'instagram'`)
  })

  const dutyCounters = async () => ({
    duty_stats: (await rows<{ r: string }>(db, sql`SELECT unit_id::text || ':' || wing_code || ':' || role_code || ':' || level || ':' || bound || ':' || compliant AS r FROM duty_stats ORDER BY 1`)).map(x => x.r),
    duty_platform_stats: (await rows<{ r: string }>(db, sql`SELECT unit_id::text || ':' || wing_code || ':' || role_code || ':' || level || ':' || platform_code || ':' || bound || ':' || held AS r FROM duty_platform_stats ORDER BY 1`)).map(x => x.r)
  })

  const bound = async (wing: string, role: string) => {
    const [r] = await rows<{ bound: number, compliant: number }>(db, sql`
    SELECT coalesce(sum(bound), 0)::int AS bound, coalesce(sum(compliant), 0)::int AS compliant
      FROM duty_stats WHERE unit_id = ${state.id} AND wing_code = ${wing} AND role_code = ${role}`)
    return r
  }

  /** A full recount changes nothing: the counters the triggers kept are exact. */
  async function recountLeavesUnchanged (t: Test, label: string) {
    const before = await dutyCounters()
    await db.execute(sql`SELECT rebuild_duty_stats()`)
    t.same(await dutyCounters(), before, `${label}: rebuild_duty_stats() leaves the counters as they were`)
  }

  t.test('the duty: added and removed by global admins, the counters recounted by the database', async (t) => {
    // A ward vice president who runs twitter but no youtube.
    const holder = await activeMember(app, boothA.id, 'Vimla Vice', { twitter: '@vimla' })
    await appoint(app, { personId: holder.person.id, unitId: wardA.id, role: 'vice_president' })
    t.same(await bound('main', 'vice_president'), { bound: 0, compliant: 0 }, 'no duty binds the post yet')

    const duty = { wing: 'main', role: 'vice_president', level: 'ward', platform: 'youtube' }
    const scopedAdmin = await mintKey(app, 'admin', districtA.id)
    t.equal((await call(app, { method: 'POST', url: '/v1/handle-duties', payload: duty }, scopedAdmin)).status, 403)
    t.equal((await call(app, { method: 'POST', url: '/v1/handle-duties', payload: duty }, await mintKey(app, 'editor'))).status, 403)
    const refusals: Array<[Record<string, string>, number, string]> = [
      [{ role: 'nobody' }, 422, 'unknown_role'],
      [{ role: 'general_secretary', level: 'booth' }, 422, 'unknown_role'],
      [{ wing: 'youth', role: 'vice_president', level: 'booth' }, 422, 'unknown_role'],
      [{ platform: 'myspace' }, 422, 'unknown_platform'],
      [{ wing: 'nowhere' }, 422, 'unknown_wing'],
      [{ role: 'president', level: 'booth', platform: 'twitter' }, 409, 'duty_exists']
    ]
    for (const [change, status, code] of refusals) {
      const res = await call(app, { method: 'POST', url: '/v1/handle-duties', payload: { ...duty, ...change } })
      t.equal(res.status, status, JSON.stringify(change))
      t.equal(res.json.code, code, JSON.stringify(change))
    }
    t.equal((await call(app, { method: 'POST', url: '/v1/handle-duties', payload: { ...duty, level: 'village' } })).status, 400)

    const made = await call(app, { method: 'POST', url: '/v1/handle-duties', payload: duty })
    t.equal(made.status, 201)
    t.same(made.json, duty)
    t.equal(made.headers.location, '/v1/handle-duties/main/vice_president/ward/youtube')
    t.same(await bound('main', 'vice_president'), { bound: 1, compliant: 0 }, 'the term is bound now, its holder runs no youtube')
    await recountLeavesUnchanged(t, 'after adding')

    // A second platform for the same post; its holder runs it.
    t.equal((await call(app, { method: 'POST', url: '/v1/handle-duties', payload: { ...duty, platform: 'twitter' } })).status, 201)
    t.same(await bound('main', 'vice_president'), { bound: 1, compliant: 0 }, 'one term, still short of youtube')
    const [platforms] = await rows<{ twitter: number, youtube: number }>(db, sql`
    SELECT sum(held) FILTER (WHERE platform_code = 'twitter')::int AS twitter, sum(held) FILTER (WHERE platform_code = 'youtube')::int AS youtube
      FROM duty_platform_stats WHERE unit_id = ${state.id} AND wing_code = 'main' AND role_code = 'vice_president'`)
    t.same(platforms, { twitter: 1, youtube: 0 })

    const list = await get('/v1/handle-duties?role=vice_president')
    t.same(list.json, { items: [{ ...duty, platform: 'twitter' }, duty], nextCursor: null }, 'in the platforms\' order')
    t.same((await get('/v1/handle-duties?wing=main&role=president&level=booth')).json.items.map((d: any) => d.platform), ['twitter', 'youtube', 'facebook', 'instagram'], 'the seeded duty')
    t.same((await get('/v1/handle-duties?platform=youtube&level=ward')).json.items.map((d: any) => d.role), ['president', 'vice_president'])
    t.equal((await get('/v1/handle-duties?wing=youth')).json.items.length, 0)

    // Removing youtube: the holder now runs all the post asks.
    t.equal((await call(app, { method: 'DELETE', url: '/v1/handle-duties/main/vice_president/ward/youtube' }, scopedAdmin)).status, 403)
    t.equal((await call(app, { method: 'DELETE', url: '/v1/handle-duties/main/vice_president/ward/youtube' })).status, 204)
    t.same(await bound('main', 'vice_president'), { bound: 1, compliant: 1 })
    await recountLeavesUnchanged(t, 'after removing one')
    t.equal((await call(app, { method: 'DELETE', url: '/v1/handle-duties/main/vice_president/ward/youtube' })).status, 404)
    t.equal((await call(app, { method: 'DELETE', url: '/v1/handle-duties/main/vice_president/ward/twitter' })).status, 204)
    t.same(await bound('main', 'vice_president'), { bound: 0, compliant: 0 }, 'no duty binds the post any more')
    await recountLeavesUnchanged(t, 'after removing the last')

    const audit = await get('/v1/audit?entityType=handle_duty')
    t.same(audit.json.items.map((a: any) => `${a.action} ${a.entityId}`).sort(), [
      'create main/vice_president/ward/twitter', 'create main/vice_president/ward/youtube',
      'delete main/vice_president/ward/twitter', 'delete main/vice_president/ward/youtube'
    ])
  })

  t.test('handle issues: each key sees its subtree\'s, and never who holds a handle outside it', async (t) => {
    const [inA] = await rows<{ id: string }>(db, sql`
    INSERT INTO handle_issues (person_id, platform_code, raw_value, reason, taken_by, created_at)
    VALUES (${asha.id}, 'twitter', '@Shared_Name', 'handle_taken', ${bhola.id}, '2024-01-01T00:00:00.000001Z') RETURNING id`)
    const [inB] = await rows<{ id: string }>(db, sql`
    INSERT INTO handle_issues (person_id, platform_code, raw_value, reason, taken_by, created_at)
    VALUES (${bhola.id}, 'facebook', 'fb.com/shared.name', 'handle_taken', ${asha.id}, '2024-01-01T00:00:00.000002Z') RETURNING id`)
    const [invalid] = await rows<{ id: string }>(db, sql`
    INSERT INTO handle_issues (person_id, platform_code, raw_value, reason, created_at)
    VALUES (${asha.id}, 'instagram', '=cmd|not a handle', 'invalid_handle', '2024-01-01T00:00:00.000003Z') RETURNING id`)

    const all = await get('/v1/handle-issues')
    t.equal(all.status, 200)
    t.same(all.json.items.map((i: any) => i.id), [inA.id, inB.id, invalid.id], 'a global key sees all, oldest first')
    t.same(all.json.items[0], {
      id: inA.id,
      personId: asha.id,
      personName: 'Asha A',
      platform: 'twitter',
      rawValue: '@Shared_Name',
      reason: 'handle_taken',
      takenBy: { id: bhola.id, name: 'Bhola B' },
      createdAt: '2024-01-01T00:00:00.000Z',
      dismissedAt: null
    })

    // Paged by (created_at, id): the three differ by a microsecond only.
    const first = await get('/v1/handle-issues?limit=2')
    t.same(first.json.items.map((i: any) => i.id), [inA.id, inB.id])
    const rest = await get(`/v1/handle-issues?limit=2&cursor=${first.json.nextCursor}`)
    t.same(rest.json.items.map((i: any) => i.id), [invalid.id])
    t.equal(rest.json.nextCursor, null)
    t.equal((await get('/v1/handle-issues?cursor=bm9wZQ')).json.code, 'invalid_cursor')
    t.equal((await get('/v1/handle-issues?limit=501')).status, 400)

    t.same((await get('/v1/handle-issues?reason=invalid_handle')).json.items.map((i: any) => i.id), [invalid.id])
    t.same((await get('/v1/handle-issues?platform=facebook')).json.items.map((i: any) => i.id), [inB.id])

    const readerA = await mintKey(app, 'reader', districtA.id)
    const seenByA = await get('/v1/handle-issues?reason=handle_taken', readerA)
    t.equal(seenByA.status, 200)
    t.equal(seenByA.json.items.length, 1, 'only the issue of its own district')
    t.equal(seenByA.json.items[0].id, inA.id)
    t.equal(seenByA.json.items[0].takenBy, null, 'the holder lives in district B: not named')
    t.notMatch(JSON.stringify(seenByA.json), /Bhola/)
    const seenByB = await get('/v1/handle-issues', await mintKey(app, 'reader', districtB.id))
    t.same(seenByB.json.items.map((i: any) => [i.id, i.takenBy]), [[inB.id, null]])
    const stateReader = await mintKey(app, 'reader', state.id)
    t.same((await get('/v1/handle-issues?platform=facebook', stateReader)).json.items[0].takenBy, { id: asha.id, name: 'Asha A' }, 'a key over both sees who holds it')

    // CSV: a header row, and the same rows and scope.
    const sheet = await call(app, { method: 'GET', url: '/v1/handle-issues?format=csv' }, readerA)
    t.equal(sheet.status, 200)
    t.match(sheet.headers['content-type'], /^text\/csv/)
    const lines = sheet.body.replace(/^\uFEFF/, '').trim().split(/\r?\n/)
    t.equal(lines[0], 'id,person_id,person_name,platform,raw_value,reason,taken_by_id,taken_by_name,created_at,dismissed_at')
    t.equal(lines.length, 3, 'the header and district A\'s two issues')
    t.match(lines[1], `${inA.id},${asha.id},Asha A,twitter,'@Shared_Name,handle_taken,,,`)
    t.match(lines[2], '\'=cmd|not a handle', 'a cell a spreadsheet would run is guarded')
    const accepted = await call(app, { method: 'GET', url: '/v1/handle-issues', headers: { accept: 'text/csv' } })
    t.equal(accepted.body.replace(/^\uFEFF/, '').trim().split(/\r?\n/).length, 4)

    // Dismissing: a write key within the person's subtree; outside it the issue does not exist.
    const editorA = await mintKey(app, 'editor', districtA.id)
    t.equal((await call(app, { method: 'POST', url: `/v1/handle-issues/${inA.id}/dismiss` }, readerA)).status, 403, 'a reader may not')
    const outside = await call(app, { method: 'POST', url: `/v1/handle-issues/${inB.id}/dismiss` }, editorA)
    t.equal(outside.status, 404)
    t.equal(outside.json.code, 'handle_issue_not_found')
    t.equal((await call(app, { method: 'POST', url: '/v1/handle-issues/00000000-0000-4000-8000-000000000000/dismiss' })).status, 404)
    const dismissed = await call(app, { method: 'POST', url: `/v1/handle-issues/${inA.id}/dismiss` }, editorA)
    t.equal(dismissed.status, 200)
    t.equal(dismissed.json.id, inA.id)
    t.ok(dismissed.json.dismissedAt, 'dismissedAt set')
    t.equal(dismissed.json.takenBy, null, 'still not naming the holder')
    const twice = await call(app, { method: 'POST', url: `/v1/handle-issues/${inA.id}/dismiss` })
    t.equal(twice.status, 200)
    t.equal(twice.json.dismissedAt, dismissed.json.dismissedAt, 'dismissing again changes nothing')

    t.same((await get('/v1/handle-issues', readerA)).json.items.map((i: any) => i.id), [invalid.id], 'gone from the default list')
    t.same((await get('/v1/handle-issues?dismissed=true', readerA)).json.items.map((i: any) => i.id), [inA.id], 'listed with dismissed=true')
    t.same((await get('/v1/handle-issues')).json.items.map((i: any) => i.id), [inB.id, invalid.id])

    const audit = await get(`/v1/audit?entityType=handle_issue&entityId=${inA.id}`)
    t.same(audit.json.items.map((a: any) => [a.action, a.unitId]), [['dismiss', boothA.id]], 'audited once, at the person\'s home booth')
    t.equal((await get(`/v1/audit?entityType=handle_issue&entityId=${inA.id}`, await mintKey(app, 'admin', districtB.id))).json.items.length, 0, 'not shown outside the subtree')
  })
})
