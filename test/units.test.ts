import t from 'tap'
import { buildTestApp, call } from './helpers/app.js'
import { createChain, createUnit } from './helpers/tree.js'

const { app } = await buildTestApp(t)

t.test('a whole chain, state to booth, with Location and ETag', async (t) => {
  const state = await call(app, { method: 'POST', url: '/v1/units', payload: { level: 'state', code: 'up', name: 'Uttar Pradesh', localName: 'उत्तर प्रदेश' } })
  t.equal(state.status, 201)
  t.equal(state.json.code, 'UP', 'codes are normalised to upper case')
  t.equal(state.json.codePath, 'UP')
  t.equal(state.json.parentId, null)
  t.equal(state.json.localName, 'उत्तर प्रदेश')
  t.equal(state.headers.location, `/v1/units/${state.json.id}`)
  t.equal(state.headers.etag, '"v1"')

  const district = await createUnit(app, { level: 'district', parentId: state.json.id, code: 'LKO', name: 'Lucknow' })
  const block = await createUnit(app, { level: 'block', parentId: district.id, code: 'B03', name: 'Lucknow Nagar', displayLabel: 'nagar' })
  const ward = await createUnit(app, { level: 'ward', parentId: block.id, code: 'W12', name: 'Ward 12' })
  const booth = await call(app, { method: 'POST', url: '/v1/units', payload: { level: 'booth', parentId: ward.id, code: 'AC072-PS0145A', name: 'Primary School, Aliganj', acNumber: 72, acName: 'Lucknow North', psNumber: '145a' } })
  t.equal(booth.status, 201)
  t.equal(booth.json.codePath, 'UP/LKO/B03/W12/AC072-PS0145A')
  t.equal(booth.json.psNumber, '145A')
  t.equal(booth.json.acNumber, 72)

  const read = await call(app, { method: 'GET', url: `/v1/units/${booth.json.id}` })
  t.equal(read.status, 200)
  t.same(read.json, booth.json)
  t.equal(read.headers.etag, '"v1"')

  const crumb = await call(app, { method: 'GET', url: `/v1/units/${booth.json.id}/ancestors` })
  t.same(crumb.json.items.map((u: any) => u.code), ['UP', 'LKO', 'B03', 'W12'])
  t.equal(crumb.json.nextCursor, null)
  const full = await call(app, { method: 'GET', url: `/v1/units/${booth.json.id}/ancestors?includeSelf=true` })
  t.same(full.json.items.map((u: any) => u.level), ['state', 'district', 'block', 'ward', 'booth'])

  const found = await call(app, { method: 'GET', url: '/v1/units/lookup?path=UP/LKO/B03/W12/AC072-PS0145A' })
  t.equal(found.status, 200)
  t.equal(found.json.id, booth.json.id)
  const loose = await call(app, { method: 'GET', url: '/v1/units/lookup?path=' + encodeURIComponent('/up/ lko /b03/') })
  t.equal(loose.json.id, block.id, 'lookup tolerates case, spaces and stray slashes')
  const missing = await call(app, { method: 'GET', url: '/v1/units/lookup?path=UP/NOPE' })
  t.equal(missing.status, 404)
  t.equal(missing.json.code, 'unit_not_found')
})

t.test('the tree shape is refused when wrong, with a precise reason', async (t) => {
  const { state, district, ward, booth } = await createChain(app, 'SHP')
  const cases: Array<[string, Record<string, unknown>, number, string]> = [
    ['booth under a state', { level: 'booth', parentId: state.id, code: 'X1', name: 'x' }, 422, 'invalid_parent_level'],
    ['ward under a district', { level: 'ward', parentId: district.id, code: 'X1', name: 'x' }, 422, 'invalid_parent_level'],
    ['anything under a booth', { level: 'booth', parentId: booth.id, code: 'X1', name: 'x' }, 422, 'invalid_parent_level'],
    ['a district without parent', { level: 'district', code: 'X1', name: 'x' }, 422, 'parent_required'],
    ['a state with a parent', { level: 'state', parentId: state.id, code: 'X1', name: 'x' }, 422, 'state_has_no_parent'],
    ['a parent that does not exist', { level: 'district', parentId: '00000000-0000-4000-8000-000000000000', code: 'X1', name: 'x' }, 422, 'parent_not_found'],
    ['booth fields on a ward', { level: 'ward', parentId: ward.id.replace(/.*/, district.id), code: 'X1', name: 'x', acNumber: 5 }, 422, 'invalid_parent_level'],
    ['a sibling with the same code', { level: 'district', parentId: state.id, code: 'd1', name: 'again' }, 409, 'unit_code_taken'],
    ['a state code taken', { level: 'state', code: 'SHPS', name: 'again' }, 409, 'unit_code_taken']
  ]
  for (const [what, payload, status, code] of cases) {
    const res = await call(app, { method: 'POST', url: '/v1/units', payload })
    t.equal(res.status, status, what)
    t.equal(res.json.code, code, what)
    t.match(res.headers['content-type'], /^application\/problem\+json/, what)
    t.type(res.json.detail, 'string')
    t.equal(res.json.type, `urn:sangathan:problem:${code}`)
  }
  const blockFields = await call(app, { method: 'POST', url: '/v1/units', payload: { level: 'district', parentId: state.id, code: 'X2', name: 'x', psNumber: '1' } })
  t.equal(blockFields.status, 422)
  t.equal(blockFields.json.code, 'booth_fields_on_non_booth')

  const sameCodeElsewhere = await call(app, { method: 'POST', url: '/v1/units', payload: { level: 'block', parentId: district.id, code: 'W1', name: 'codes repeat across parents' } })
  t.equal(sameCodeElsewhere.status, 201, 'codes are unique among siblings only')
})

t.test('bad input is a 4xx problem, never a 500', async (t) => {
  const { state } = await createChain(app, 'BAD')
  const cases: Array<[string, any, number, string]> = [
    ['unknown field', { method: 'POST', url: '/v1/units', payload: { level: 'state', code: 'Z', name: 'z', colour: 'red' } }, 400, 'validation_failed'],
    ['wrong type', { method: 'POST', url: '/v1/units', payload: { level: 'state', code: 12, name: 'z' } }, 400, 'validation_failed'],
    ['bad level', { method: 'POST', url: '/v1/units', payload: { level: 'village', code: 'Z', name: 'z' } }, 400, 'validation_failed'],
    ['code with a slash', { method: 'POST', url: '/v1/units', payload: { level: 'state', code: 'A/B', name: 'z' } }, 400, 'validation_failed'],
    ['blank name', { method: 'POST', url: '/v1/units', payload: { level: 'state', code: 'Z', name: '   ' } }, 400, 'validation_failed'],
    ['malformed JSON', { method: 'POST', url: '/v1/units', payload: '{"level":', headers: { 'content-type': 'application/json' } }, 400, 'malformed_json'],
    ['empty JSON body', { method: 'POST', url: '/v1/units', payload: '', headers: { 'content-type': 'application/json' } }, 400, 'empty_body'],
    ['JSON array body', { method: 'POST', url: '/v1/units', payload: [1, 2] }, 400, 'validation_failed'],
    ['not JSON', { method: 'POST', url: '/v1/units', payload: 'level=state', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'unsupported_media_type'],
    ['oversized body', { method: 'POST', url: '/v1/units', payload: { level: 'state', code: 'Z', name: 'x'.repeat(2 * 1024 * 1024) } }, 413, 'payload_too_large'],
    ['malformed id', { method: 'GET', url: '/v1/units/not-a-uuid' }, 400, 'validation_failed'],
    ['unknown id', { method: 'GET', url: '/v1/units/6a0b2a44-2b51-4c77-9d7b-2a8f3b1f0c11' }, 404, 'unit_not_found'],
    ['bad cursor', { method: 'GET', url: '/v1/units?cursor=bm90LWpzb24' }, 400, 'invalid_cursor'],
    ['garbage cursor', { method: 'GET', url: '/v1/units?cursor=%%%' }, 400, 'invalid_cursor'],
    ['limit above 500', { method: 'GET', url: '/v1/units?limit=501' }, 400, 'validation_failed'],
    ['limit zero', { method: 'GET', url: '/v1/units?limit=0' }, 400, 'validation_failed'],
    ['bad level filter', { method: 'GET', url: '/v1/units?level=village' }, 400, 'validation_failed'],
    ['empty patch', { method: 'PATCH', url: `/v1/units/${state.id}`, payload: {} }, 400, 'validation_failed'],
    ['patching the level', { method: 'PATCH', url: `/v1/units/${state.id}`, payload: { level: 'district' } }, 400, 'validation_failed'],
    ['unknown route', { method: 'GET', url: '/v1/nothing-here' }, 404, 'route_not_found'],
    ['move body missing', { method: 'POST', url: `/v1/units/${state.id}/move`, payload: {} }, 400, 'validation_failed']
  ]
  for (const [what, opts, status, code] of cases) {
    const res = await call(app, opts)
    t.equal(res.status, status, what)
    t.equal(res.json?.code, code, what)
    t.match(res.headers['content-type'], /^application\/problem\+json/, what)
  }
  const wrongType = await call(app, { method: 'POST', url: '/v1/units', payload: { level: 'state', code: 12, name: 7 } })
  t.same(wrongType.json.errors.map((e: any) => e.pointer).sort(), ['/code', '/name'], 'each failing field is listed')
})

t.test('lists filter and paginate in code-path order', async (t) => {
  const state = await createUnit(app, { level: 'state', code: 'PAG', name: 'Pagination State' })
  const district = await createUnit(app, { level: 'district', parentId: state.id, code: 'D', name: 'District' })
  const block = await createUnit(app, { level: 'block', parentId: district.id, code: 'B', name: 'Block' })
  const wards = []
  for (let i = 1; i <= 7; i++) {
    wards.push(await createUnit(app, { level: 'ward', parentId: block.id, code: `W${String(i).padStart(2, '0')}`, name: i % 2 ? `Rampur ward ${i}` : `Ward ${i}` }))
  }
  for (const w of wards.slice(0, 3)) {
    await createUnit(app, { level: 'booth', parentId: w.id, code: 'PS1', name: 'Booth' })
  }
  const seen: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const res: any = await call(app, { method: 'GET', url: `/v1/units/${block.id}/children?limit=3${cursor ? `&cursor=${cursor}` : ''}` })
    t.equal(res.status, 200)
    seen.push(...res.json.items.map((u: any) => u.code))
    cursor = res.json.nextCursor
    pages++
  } while (cursor)
  t.same(seen, ['W01', 'W02', 'W03', 'W04', 'W05', 'W06', 'W07'])
  t.equal(pages, 3)

  const byParent = await call(app, { method: 'GET', url: `/v1/units?parentId=${block.id}&limit=500` })
  t.equal(byParent.json.items.length, 7)
  t.equal(byParent.json.nextCursor, null)

  const search = await call(app, { method: 'GET', url: `/v1/units?parentId=${block.id}&q=rampur` })
  t.same(search.json.items.map((u: any) => u.code), ['W01', 'W03', 'W05', 'W07'], 'q searches names case-insensitively')
  const likeChars = await call(app, { method: 'GET', url: '/v1/units?q=%25_' })
  t.equal(likeChars.json.items.length, 0, 'LIKE wildcards in q are literal')

  const boothsUnderState = await call(app, { method: 'GET', url: `/v1/units?ancestorId=${state.id}&level=booth` })
  t.same(boothsUnderState.json.items.map((u: any) => u.codePath), ['PAG/D/B/W01/PS1', 'PAG/D/B/W02/PS1', 'PAG/D/B/W03/PS1'])
  const subtree = await call(app, { method: 'GET', url: `/v1/units?ancestorId=${district.id}&limit=500` })
  t.equal(subtree.json.items.length, 1 + 7 + 3, 'the subtree excludes the ancestor itself')
  const states = await call(app, { method: 'GET', url: '/v1/units?level=state&q=PAG' })
  t.same(states.json.items.map((u: any) => u.code), ['PAG'])
})

t.test('PATCH changes fields, honours If-Match, and a re-code renames the subtree', async (t) => {
  const { district, block, booth } = await createChain(app, 'PAT')
  const stale = await call(app, { method: 'PATCH', url: `/v1/units/${district.id}`, payload: { name: 'Renamed' }, headers: { 'if-match': '"v9"' } })
  t.equal(stale.status, 412)
  t.equal(stale.json.code, 'etag_mismatch')

  const renamed = await call(app, { method: 'PATCH', url: `/v1/units/${district.id}`, payload: { name: 'Renamed', localName: 'नाम' }, headers: { 'if-match': '"v1"' } })
  t.equal(renamed.status, 200)
  t.equal(renamed.json.name, 'Renamed')
  t.equal(renamed.headers.etag, '"v2"')

  const recoded = await call(app, { method: 'PATCH', url: `/v1/units/${district.id}`, payload: { code: 'D9', localName: null } })
  t.equal(recoded.json.codePath, 'PATS/D9')
  t.equal(recoded.json.localName, null)
  const boothNow = await call(app, { method: 'GET', url: `/v1/units/${booth.id}` })
  t.equal(boothNow.json.codePath, 'PATS/D9/B1/W1/AC072-PS0145')
  t.equal(boothNow.headers.etag, '"v1"', 'descendants keep their version: their own fields did not change')

  const sibling = await createUnit(app, { level: 'block', parentId: district.id, code: 'B2', name: 'Block Two' })
  const clash = await call(app, { method: 'PATCH', url: `/v1/units/${sibling.id}`, payload: { code: 'B1' } })
  t.equal(clash.status, 409)
  t.equal(clash.json.code, 'unit_code_taken')
  const boothOnBlock = await call(app, { method: 'PATCH', url: `/v1/units/${block.id}`, payload: { acNumber: 3 } })
  t.equal(boothOnBlock.status, 422)
  const boothField = await call(app, { method: 'PATCH', url: `/v1/units/${booth.id}`, payload: { psNumber: '145B', acName: 'Lucknow North' } })
  t.equal(boothField.json.psNumber, '145B')
  const gone = await call(app, { method: 'PATCH', url: '/v1/units/6a0b2a44-2b51-4c77-9d7b-2a8f3b1f0c11', payload: { name: 'x' } })
  t.equal(gone.status, 404)
})

t.test('DELETE refuses while children exist and honours If-Match', async (t) => {
  const { ward, booth } = await createChain(app, 'DEL')
  const busy = await call(app, { method: 'DELETE', url: `/v1/units/${ward.id}` })
  t.equal(busy.status, 409)
  t.equal(busy.json.code, 'unit_has_children')
  t.equal(busy.json.children, 1)
  const stale = await call(app, { method: 'DELETE', url: `/v1/units/${booth.id}`, headers: { 'if-match': '"v2"' } })
  t.equal(stale.status, 412)
  const ok = await call(app, { method: 'DELETE', url: `/v1/units/${booth.id}`, headers: { 'if-match': '"v1"' } })
  t.equal(ok.status, 204)
  t.equal(ok.body, '')
  t.equal((await call(app, { method: 'GET', url: `/v1/units/${booth.id}` })).status, 404)
  t.equal((await call(app, { method: 'DELETE', url: `/v1/units/${booth.id}` })).status, 404)
  t.equal((await call(app, { method: 'DELETE', url: `/v1/units/${ward.id}` })).status, 204, 'a leaf can go')
})

t.test('moving a ward carries its subtree; wrong moves are refused', async (t) => {
  const a = await createChain(app, 'MVA')
  const otherBlock = await createUnit(app, { level: 'block', parentId: a.district.id, code: 'B2', name: 'Block Two' })
  const extraBooth = await createUnit(app, { level: 'booth', parentId: a.ward.id, code: 'PS2', name: 'Booth 2' })

  const moved = await call(app, { method: 'POST', url: `/v1/units/${a.ward.id}/move`, payload: { parentId: otherBlock.id } })
  t.equal(moved.status, 200)
  t.equal(moved.json.parentId, otherBlock.id)
  t.equal(moved.json.codePath, 'MVAS/D1/B2/W1')
  t.equal(moved.headers.etag, '"v2"')
  for (const b of [a.booth, extraBooth]) {
    const r = await call(app, { method: 'GET', url: `/v1/units/${b.id}/ancestors` })
    t.same(r.json.items.map((u: any) => u.code), ['MVAS', 'D1', 'B2', 'W1'], 'descendant breadcrumb follows the move')
  }
  const underOld = await call(app, { method: 'GET', url: `/v1/units?ancestorId=${a.block.id}` })
  t.equal(underOld.json.items.length, 0, 'nothing left under the old block')
  const underNew = await call(app, { method: 'GET', url: `/v1/units?ancestorId=${otherBlock.id}&level=booth` })
  t.equal(underNew.json.items.length, 2)
  const lookup = await call(app, { method: 'GET', url: '/v1/units/lookup?path=MVAS/D1/B2/W1/PS2' })
  t.equal(lookup.json.id, extraBooth.id)

  const again = await call(app, { method: 'POST', url: `/v1/units/${a.ward.id}/move`, payload: { parentId: otherBlock.id } })
  t.equal(again.status, 200, 'moving to the current parent is a no-op')
  t.equal(again.headers.etag, '"v2"')

  const intoOwn = await call(app, { method: 'POST', url: `/v1/units/${a.district.id}/move`, payload: { parentId: a.ward.id } })
  t.equal(intoOwn.status, 422)
  t.equal(intoOwn.json.code, 'move_into_own_subtree')
  const wrongLevel = await call(app, { method: 'POST', url: `/v1/units/${a.ward.id}/move`, payload: { parentId: a.district.id } })
  t.equal(wrongLevel.status, 422)
  t.equal(wrongLevel.json.code, 'invalid_parent_level')
  const stateMove = await call(app, { method: 'POST', url: `/v1/units/${a.state.id}/move`, payload: { parentId: a.state.id } })
  t.equal(stateMove.json.code, 'state_cannot_move')
  const missingParent = await call(app, { method: 'POST', url: `/v1/units/${a.ward.id}/move`, payload: { parentId: '6a0b2a44-2b51-4c77-9d7b-2a8f3b1f0c11' } })
  t.equal(missingParent.json.code, 'parent_not_found')
  const stale = await call(app, { method: 'POST', url: `/v1/units/${a.ward.id}/move`, payload: { parentId: a.block.id }, headers: { 'if-match': '"v1"' } })
  t.equal(stale.status, 412)

  await createUnit(app, { level: 'ward', parentId: a.block.id, code: 'W1', name: 'New ward with the old code' })
  const clash = await call(app, { method: 'POST', url: `/v1/units/${a.ward.id}/move`, payload: { parentId: a.block.id } })
  t.equal(clash.status, 409)
  t.equal(clash.json.code, 'unit_code_taken')
})

t.test('POST honours Idempotency-Key', async (t) => {
  const body = { level: 'state', code: 'IDEM', name: 'Idempotent State' }
  const first = await call(app, { method: 'POST', url: '/v1/units', payload: body, headers: { 'idempotency-key': 'abc-123' } })
  t.equal(first.status, 201)
  const replay = await call(app, { method: 'POST', url: '/v1/units', payload: body, headers: { 'idempotency-key': 'abc-123' } })
  t.equal(replay.status, 201)
  t.same(replay.json, first.json, 'the first response is replayed')
  t.equal(replay.headers.location, first.headers.location)
  t.equal(replay.headers['idempotent-replayed'], 'true')
  const list = await call(app, { method: 'GET', url: '/v1/units?level=state&q=IDEM' })
  t.equal(list.json.items.length, 1, 'one unit, not two')

  const reused = await call(app, { method: 'POST', url: '/v1/units', payload: { ...body, name: 'Other' }, headers: { 'idempotency-key': 'abc-123' } })
  t.equal(reused.status, 422)
  t.equal(reused.json.code, 'idempotency_key_reused')

  const failed = await call(app, { method: 'POST', url: '/v1/units', payload: body, headers: { 'idempotency-key': 'dup-1' } })
  t.equal(failed.status, 409, 'a refusal is remembered too')
  const failedAgain = await call(app, { method: 'POST', url: '/v1/units', payload: body, headers: { 'idempotency-key': 'dup-1' } })
  t.equal(failedAgain.status, 409)
  t.equal(failedAgain.headers['idempotent-replayed'], 'true')

  const badKey = await call(app, { method: 'POST', url: '/v1/units', payload: body, headers: { 'idempotency-key': 'with space' } })
  t.equal(badKey.status, 400)
  t.equal(badKey.json.code, 'invalid_idempotency_key')
})
