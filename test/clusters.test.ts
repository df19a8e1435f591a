import { sql } from 'drizzle-orm'
import t from 'tap'
import { rows } from '../src/db/client.js'
import { buildTestApp, call, mintKey } from './helpers/app.js'
import { counterDrift } from './helpers/counters.js'
import { activeMember, createPerson } from './helpers/people.js'
import { createUnit, type Unit } from './helpers/tree.js'

/**
 * Booth clusters: sectors of a few booths under a ward or block, zones of sectors, shakti
 * kendras; their posts under the own-booth rule and seats; scope; moves out of them.
 */
const { app } = await buildTestApp(t)
const get = async (url: string, key?: string) => call(app, { method: 'GET', url }, key)
const post = async (url: string, payload: Record<string, unknown>, key?: string) => call(app, { method: 'POST', url, payload }, key)

const state = await createUnit(app, { level: 'state', code: 'CLS', name: 'Cluster State' })
const district = await createUnit(app, { level: 'district', parentId: state.id, code: 'D1', name: 'D1' })
const other = await createUnit(app, { level: 'district', parentId: state.id, code: 'D2', name: 'D2' })
const block = await createUnit(app, { level: 'block', parentId: district.id, code: 'B1', name: 'B1' })
const ward = await createUnit(app, { level: 'ward', parentId: block.id, code: 'W1', name: 'W1' })
const ward2 = await createUnit(app, { level: 'ward', parentId: block.id, code: 'W2', name: 'W2' })
const otherWard = await createUnit(app, { level: 'ward', parentId: (await createUnit(app, { level: 'block', parentId: other.id, code: 'B9', name: 'B9' })).id, code: 'W9', name: 'W9' })
const booths: Unit[] = []
for (let i = 1; i <= 7; i++) booths.push(await createUnit(app, { level: 'booth', parentId: ward.id, code: `PS${i}`, name: `Booth ${i}` }))
const farBooth = await createUnit(app, { level: 'booth', parentId: otherWard.id, code: 'PS1', name: 'Far booth' })

let sector: any
let sector2: any

t.test('the kinds, and a sector of five booths with its in-charge', async (t) => {
  const kinds = await get('/v1/cluster-kinds')
  t.same(kinds.json.items.map((k: any) => k.code), ['sector', 'zone', 'shakti_kendra'])
  t.equal(kinds.json.items[1].groupsKind, 'sector')

  const created = await post('/v1/clusters', { unitId: ward.id, kind: 'sector', code: 's1', name: 'Sector One', boothIds: booths.slice(0, 5).map(b => b.id) })
  t.equal(created.status, 201, created.body)
  sector = created.json
  t.match(sector, { kind: 'sector', code: 'S1', unitCodePath: 'CLS/D1/B1/W1', boothCount: 5, parentId: null })
  t.match(created.headers.etag, /^"/)
  const listed = await get(`/v1/clusters/${sector.id}/booths`)
  t.same(listed.json.items.map((b: any) => b.code), ['PS1', 'PS2', 'PS3', 'PS4', 'PS5'])

  const { person } = await activeMember(app, booths[0].id, 'Sector In-charge')
  const term = await call(app, { method: 'POST', url: '/v1/appointments', payload: { personId: person.id, clusterId: sector.id, role: 'sector_incharge' } })
  t.equal(term.status, 201, term.body)
  t.match(term.json, { clusterId: sector.id, unitId: ward.id, role: 'sector_incharge' })

  // Seats, levels and the own-booth rule hold for a cluster's posts.
  const second = await activeMember(app, booths[1].id, 'Second In-charge')
  t.equal((await post('/v1/appointments', { personId: second.person.id, clusterId: sector.id, role: 'sector_incharge' })).json.code, 'post_full')
  t.equal((await post('/v1/appointments', { personId: second.person.id, clusterId: sector.id, role: 'president' })).json.code, 'role_not_at_level', 'a unit\'s role is no cluster post')
  t.equal((await post('/v1/appointments', { personId: second.person.id, unitId: ward.id, role: 'sector_incharge' })).json.code, 'role_not_at_level', 'a cluster\'s role needs its cluster')
  t.equal((await post('/v1/appointments', { personId: second.person.id, clusterId: sector.id, role: 'sector_president', unitId: block.id })).json.code, 'cluster_not_in_unit')
  const outsider = await createPerson(app, { name: 'Not a member', homeBoothId: booths[2].id })
  t.equal((await post('/v1/appointments', { personId: outsider.id, clusterId: sector.id, role: 'sector_president' })).json.code, 'not_active_member_at_home')
  t.equal((await post('/v1/appointments', { personId: second.person.id, clusterId: sector.id, role: 'sector_president' })).status, 201, 'another post of the sector')
  t.same(await counterDrift(app.db), [])
})

t.test('a booth is in one cluster of each kind, under the cluster\'s unit; zones group sectors', async (t) => {
  const s2 = await post('/v1/clusters', { unitId: ward.id, kind: 'sector', code: 'S2', name: 'Sector Two', boothIds: [booths[5].id] })
  t.equal(s2.status, 201)
  sector2 = s2.json
  t.equal((await post(`/v1/clusters/${sector2.id}/booths`, { boothIds: [booths[0].id] })).json.code, 'booth_in_cluster_of_kind')
  t.equal((await post(`/v1/clusters/${sector2.id}/booths`, { boothIds: [farBooth.id] })).json.code, 'booth_outside_cluster_unit')
  t.equal((await post(`/v1/clusters/${sector2.id}/booths`, { boothIds: [booths[6].id, booths[4].id] })).json.code, 'booth_in_cluster_of_kind', 'all or none')
  t.equal((await get(`/v1/clusters/${sector2.id}`)).json.boothCount, 1)
  t.equal((await post('/v1/clusters', { unitId: ward.id, kind: 'shakti_kendra', code: 'SK1', name: 'SK', boothIds: [booths[0].id] })).status, 201, 'another kind: the same booth')
  t.equal((await post('/v1/clusters', { unitId: booths[0].id, kind: 'sector', code: 'S9', name: 'x' })).json.code, 'cluster_unit_level')
  t.equal((await post('/v1/clusters', { unitId: ward.id, kind: 'sector', code: 'S1', name: 'again' })).json.code, 'cluster_code_taken')

  const zone = await post('/v1/clusters', { unitId: ward.id, kind: 'zone', code: 'Z1', name: 'Zone One' })
  t.equal(zone.status, 201)
  t.equal((await post(`/v1/clusters/${zone.json.id}/booths`, { boothIds: [booths[6].id] })).json.code, 'cluster_groups_clusters')
  const grouped = await call(app, { method: 'PATCH', url: `/v1/clusters/${sector.id}`, payload: { parentId: zone.json.id } })
  t.equal(grouped.status, 200)
  t.match((await get(`/v1/clusters/${zone.json.id}`)).json, { boothCount: 5, memberCount: 1 })
  t.equal((await call(app, { method: 'PATCH', url: `/v1/clusters/${sector2.id}`, payload: { parentId: sector.id } })).json.code, 'cluster_parent_mismatch')
  t.same((await get(`/v1/clusters?parentId=${zone.json.id}`)).json.items.map((c: any) => c.code), ['S1'])
})

t.test('the sectors of a block without an in-charge, JSON and CSV', async (t) => {
  const gaps = await get(`/v1/units/${block.id}/cluster-gaps?kind=sector`)
  t.equal(gaps.status, 200)
  t.equal(gaps.json.role, 'sector_incharge')
  t.same(gaps.json.items.map((g: any) => [g.code, g.boothCount, g.holders, g.seats]), [['S2', 1, 0, 1]])
  const csv = await get(`/v1/units/${block.id}/cluster-gaps?kind=sector&format=csv`)
  t.match(csv.headers['content-disposition'], /cluster-gaps-sector_incharge-CLS_D1_B1\.csv/)
  const lines = csv.body.replace(/^\ufeff/, '').trim().split(/\r?\n/)
  t.equal(lines[0], 'unit_code_path,kind,code,name,booths,holders,seats,cluster_id')
  t.match(lines[1], /^CLS\/D1\/B1\/W1,sector,S2,Sector Two,1,0,1,/)
  t.equal(lines.length, 2)
  t.equal((await get(`/v1/units/${block.id}/cluster-gaps?kind=sector&role=president`)).json.code, 'role_not_at_level')
  t.equal((await get(`/v1/units/${block.id}/cluster-gaps?kind=nope`)).json.code, 'unknown_cluster_kind')
})

t.test('cluster coverage: each sector\'s posts, and its booths\' figures against a recount, JSON and CSV', async (t) => {
  const { person } = await activeMember(app, booths[1].id, 'Booth Two President')
  t.equal((await post('/v1/appointments', { personId: person.id, unitId: booths[1].id, role: 'president' })).status, 201)
  const naive = await rows<{ code: string, total: number, covered: number, active: number }>(app.db, sql`
    SELECT c.code, count(cb.booth_id)::int AS total,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM appointments a WHERE a.unit_id = cb.booth_id AND a.role_code = 'president' AND a.end_date IS NULL))::int AS covered,
           coalesce(sum((SELECT count(*) FROM memberships m WHERE m.booth_id = cb.booth_id AND m.status = 'current' AND m.grade = 'active')), 0)::int AS active
      FROM clusters c LEFT JOIN cluster_booths cb ON cb.cluster_id = c.id
     WHERE c.kind_code = 'sector' GROUP BY c.code ORDER BY c.code`)
  const res = await get(`/v1/units/${block.id}/cluster-coverage?kind=sector`)
  t.equal(res.status, 200, res.body)
  t.match(res.json, { wing: 'main', role: 'president', kind: 'sector' })
  t.same(res.json.items.map((r: any) => ({ code: r.code, total: r.totalBooths, covered: r.coveredBooths, active: r.activeMembers })), naive)
  t.same(res.json.items.map((r: any) => [r.code, r.requiredPosts, r.filledPosts]), [['S1', 1, 1], ['S2', 1, 0]], 'S1 has its in-charge, S2 none')
  const zones = await get(`/v1/units/${ward.id}/cluster-coverage?kind=zone`)
  t.match(zones.json.items[0], { code: 'Z1', totalBooths: 5, requiredPosts: 1, filledPosts: 0 }, 'a zone counts its sectors\' booths')
  const page = await get(`/v1/units/${block.id}/cluster-coverage?kind=sector&limit=1`)
  t.equal(page.json.items.length, 1)
  t.same((await get(`/v1/units/${block.id}/cluster-coverage?kind=sector&limit=1&cursor=${page.json.nextCursor}`)).json.items.map((r: any) => r.code), ['S2'])
  const csv = await get(`/v1/units/${block.id}/cluster-coverage?kind=sector&format=csv`)
  const lines = csv.body.replace(/^\ufeff/, '').trim().split(/\r?\n/)
  t.equal(lines.length, 3)
  t.match(lines[1], /^CLS\/D1\/B1\/W1,sector,S1,Sector One,1,1,5,/)
  t.equal((await get(`/v1/units/${block.id}/cluster-coverage?role=sector_incharge`)).json.code, 'role_not_at_level')
  const terms = await get(`/v1/appointments?clusterId=${sector.id}`)
  t.same(terms.json.items.map((a: any) => a.role).sort(), ['sector_incharge', 'sector_president'], 'a cluster\'s terms')
  t.same(await counterDrift(app.db), [])
})

t.test('scope: a key sees and changes the clusters of its own subtree only', async (t) => {
  const outside = await mintKey(app, 'editor', other.id)
  t.equal((await get(`/v1/clusters/${sector.id}`, outside)).status, 404)
  t.same((await get('/v1/clusters', outside)).json.items, [])
  t.equal((await post('/v1/clusters', { unitId: ward.id, kind: 'sector', code: 'S7', name: 'x' }, outside)).json.code, 'unit_not_found')
  t.equal((await post(`/v1/clusters/${sector2.id}/booths`, { boothIds: [booths[6].id] }, outside)).status, 404)
  const wardKey = await mintKey(app, 'editor', ward.id)
  const own = await post('/v1/clusters', { unitId: ward.id, kind: 'sector', code: 'S3', name: 'Sector Three', boothIds: [booths[6].id] }, wardKey)
  t.equal(own.status, 201)
  t.equal((await get(`/v1/units/${block.id}/cluster-gaps`, wardKey)).status, 404, 'the block is above the ward key')
  t.same((await get(`/v1/units/${ward.id}/cluster-gaps`, wardKey)).json.items.map((g: any) => g.code), ['S2', 'S3'])
})

t.test('moving a booth out of its cluster\'s unit is refused unless it leaves the cluster', async (t) => {
  const moving = booths[4]
  const refused = await post(`/v1/units/${moving.id}/move`, { parentId: ward2.id })
  t.equal(refused.status, 409)
  t.equal(refused.json.code, 'booth_outside_cluster_unit')
  t.equal((await get(`/v1/units/${moving.id}`)).json.parentId, ward.id, 'nothing moved')
  const moved = await post(`/v1/units/${moving.id}/move`, { parentId: ward2.id, leaveClusters: true })
  t.equal(moved.status, 200, moved.body)
  t.same(moved.json.leftClusters, [{ clusterId: sector.id, code: 'S1', boothId: moving.id }])
  t.equal((await get(`/v1/clusters/${sector.id}`)).json.boothCount, 4)
  const audit = await get(`/v1/audit?entityType=unit&entityId=${moving.id}`)
  t.same(audit.json.items[0].after.leftClusters, moved.json.leftClusters, 'the audit trail says so')
  // A move within the cluster's unit keeps it.
  const ward3 = await createUnit(app, { level: 'ward', parentId: block.id, code: 'W3', name: 'W3' })
  const blockSector = await post('/v1/clusters', { unitId: block.id, kind: 'sector', code: 'BS1', name: 'Block sector', boothIds: [moving.id] })
  t.equal(blockSector.status, 201)
  t.same((await post(`/v1/units/${moving.id}/move`, { parentId: ward3.id })).json.leftClusters, [])
  t.same(await counterDrift(app.db), [])
})

t.test('a cluster with office-bearers is not deleted; one without is, its booths freed', async (t) => {
  t.equal((await call(app, { method: 'DELETE', url: `/v1/clusters/${sector.id}` })).json.code, 'cluster_has_office_bearers')
  const freed = await call(app, { method: 'DELETE', url: `/v1/clusters/${sector2.id}`, headers: { 'if-match': '"999"' } })
  t.equal(freed.status, 412)
  t.equal((await call(app, { method: 'DELETE', url: `/v1/clusters/${sector2.id}` })).status, 204)
  t.equal((await get(`/v1/clusters/${sector2.id}`)).status, 404)
  const again = await post('/v1/clusters', { unitId: ward.id, kind: 'sector', code: 'S4', name: 'Sector Four', boothIds: [booths[5].id] })
  t.equal(again.status, 201, 'its booth may join another sector')
  const audit = await get(`/v1/audit?entityType=cluster&entityId=${sector2.id}`)
  t.same(audit.json.items.map((a: any) => a.action), ['delete', 'create'])
})

t.test('global admins add a kind and its posts; the reports take them', async (t) => {
  const scopedAdmin = await mintKey(app, 'admin', state.id)
  const body = { code: 'mandal', name: 'Mandal', localName: 'मंडल', levels: ['block'] }
  t.equal((await post('/v1/cluster-kinds', body, scopedAdmin)).status, 403, 'the catalogue is global')
  const kind = await post('/v1/cluster-kinds', body)
  t.equal(kind.status, 201, kind.body)
  t.match(kind.json, { code: 'mandal', groupsKind: null, levels: ['block'] })
  t.equal((await post('/v1/cluster-kinds', body)).json.code, 'cluster_kind_exists')
  t.equal((await post('/v1/cluster-kinds', { ...body, code: 'bad', groupsKind: 'nope' })).json.code, 'unknown_cluster_kind')
  t.equal((await post('/v1/roles', { code: 'mandal_incharge', name: 'Mandal in-charge', clusterKind: 'mandal', seats: 1, required: true })).status, 201)
  t.equal((await post('/v1/roles', { code: 'mandal_x', name: 'x', clusterKind: 'mandal', levels: ['ward'] })).status, 400, 'levels or a cluster kind, not both')
  const mandal = await post('/v1/clusters', { unitId: block.id, kind: 'mandal', code: 'M1', name: 'Mandal One', boothIds: [booths[0].id] })
  t.equal(mandal.status, 201)
  t.equal((await post('/v1/clusters', { unitId: ward.id, kind: 'mandal', code: 'M2', name: 'x' })).json.code, 'cluster_unit_level')
  const gaps = await get(`/v1/units/${block.id}/cluster-gaps?kind=mandal`)
  t.equal(gaps.json.role, 'mandal_incharge', 'the kind\'s required post by default')
  t.same(gaps.json.items.map((g: any) => g.code), ['M1'])
})
