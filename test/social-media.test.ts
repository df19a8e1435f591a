import { sql } from 'drizzle-orm'
import t from 'tap'
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
