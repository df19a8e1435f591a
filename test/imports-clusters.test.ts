import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import t from 'tap'
import { rows } from '../src/db/client.js'
import { ADMIN_KEY, buildTestApp, call, mintKey } from './helpers/app.js'
import { node } from './helpers/built.js'
import { counterDrift } from './helpers/counters.js'
import { csv, ndjson, postImport } from './helpers/imports.js'

/**
 * The import of booth clusters (src/imports/clusters.ts): sectors, zones and shakti
 * kendras under wards and blocks, with their booths, from CSV or NDJSON.
 */
const { app } = await buildTestApp(t)

const HEADER = 'unit,kind,code,name,local_name,parent,booths'
const importClusters = async (body: string, options: Parameters<typeof postImport>[3] = {}) => postImport(app, 'clusters', body, options)
const lookup = async (path: string) => (await call(app, { method: 'GET', url: `/v1/units/lookup?path=${encodeURIComponent(path)}` })).json

/** A tree per test: PREFIX/D1/B1 with wards W1 (booths PS1-PS8) and W2 (PS1-PS3), and PREFIX/D2/B9/W9 (PS1). */
async function tree (prefix: string) {
  const booths = [
    ...Array.from({ length: 8 }, (_, i) => `${prefix},D1,B1,W1,PS${i + 1}`),
    ...Array.from({ length: 3 }, (_, i) => `${prefix},D1,B1,W2,PS${i + 1}`),
    `${prefix},D2,B9,W9,PS1`
  ]
  const res = await postImport(app, 'units', csv('state,district,block,ward,booth', ...booths))
  if (res.status !== 200) throw new Error(`tree: ${res.status} ${res.body}`)
  return { ward: `${prefix}/D1/B1/W1`, ward2: `${prefix}/D1/B1/W2`, block: `${prefix}/D1/B1`, far: `${prefix}/D2/B9/W9` }
}

interface ClusterState { id: string, kind: string, name: string, localName: string | null, parent: string | null, booths: string[], importId: string | null, version: number }

/** A cluster as the database holds it: its parent's code, its booths' code paths below its unit. */
async function cluster (unitPath: string, code: string): Promise<ClusterState | undefined> {
  const [row] = await rows<ClusterState>(app.db, sql`
    SELECT c.id, c.kind_code AS kind, c.name, c.local_name AS "localName", p.code AS parent, c.import_id AS "importId", c.version,
           coalesce((SELECT array_agg(substr(b.code_path, length(u.code_path) + 2) ORDER BY b.code_path)
                       FROM cluster_booths cb JOIN units b ON b.id = cb.booth_id WHERE cb.cluster_id = c.id), '{}') AS booths
      FROM clusters c JOIN units u ON u.id = c.unit_id LEFT JOIN clusters p ON p.id = c.parent_id
     WHERE u.code_path = ${unitPath} AND c.code = ${code}`)
  return row
}

const clustersIn = async (prefix: string) => (await rows<{ n: number }>(app.db, sql`
  SELECT count(*)::int AS n FROM clusters c JOIN units u ON u.id = c.unit_id WHERE u.code_path LIKE ${prefix + '/%'}`))[0].n

const errorsOf = (res: { json: any }) => res.json.errors.map((e: any) => [e.line, e.column, e.code])

t.test('clusters are created, then updated, and the same file twice changes nothing', async (t) => {
  const { ward, block } = await tree('CA')
  const file = csv(HEADER,
    `${ward},zone,z1,Zone One,ज़ोन 1,,`,
    `${ward},sector,S1,Sector One,सेक्टर 1,Z1,PS1 PS2;PS3`,
    `${ward},Sector,S2,Sector Two,,z1,"ps4, ps5"`,
    `${block},shakti_kendra,SK1,Block Kendra,,,W1/PS6 W2/PS1`)
  const first = await importClusters(file)
  t.equal(first.status, 200, first.body)
  t.equal(first.json.kind, 'clusters')
  t.same(first.json.counts, { rows: 4, created: 4, updated: 0, unchanged: 0, failed: 0 })
  t.equal(first.headers.location, `/v1/imports/${first.json.id}`)
  const z1 = await cluster(ward, 'Z1')
  t.match(z1, { kind: 'zone', name: 'Zone One', localName: 'ज़ोन 1', parent: null, booths: [], importId: first.json.id, version: 1 })
  t.match(await cluster(ward, 'S1'), { kind: 'sector', localName: 'सेक्टर 1', parent: 'Z1', booths: ['PS1', 'PS2', 'PS3'], importId: first.json.id, version: 1 },
    'a parent created by an earlier row; booths separated by spaces or semicolons')
  t.match(await cluster(ward, 'S2'), { kind: 'sector', parent: 'Z1', booths: ['PS4', 'PS5'] }, 'codes and kinds in any case, booths by commas too')
  t.match(await cluster(block, 'SK1'), { kind: 'shakti_kendra', booths: ['W1/PS6', 'W2/PS1'] }, 'a block\'s cluster names its booths below the block')
  const zone = await call(app, { method: 'GET', url: `/v1/clusters/${z1!.id}` })
  t.match(zone.json, { boothCount: 5, memberCount: 2 }, 'the API sees the zone\'s sectors and their booths')

  // Imports are not cached by Idempotency-Key: the file itself is idempotent.
  const again = await importClusters(file, { headers: { 'idempotency-key': 'sectors-once' } })
  t.same(again.json.counts, { rows: 4, created: 0, updated: 0, unchanged: 4, failed: 0 }, 'the same file twice: every row unchanged')
  const retried = await importClusters(file, { headers: { 'idempotency-key': 'sectors-once' } })
  t.notOk(retried.headers['idempotent-replayed'], 'a retry runs again rather than replaying')
  t.not(retried.json.id, again.json.id)
  t.equal((await cluster(ward, 'S1'))!.version, 1, 'nothing written')

  const changed = await importClusters(csv(HEADER,
    `${ward},sector,S1,Sector One (renamed),सेक्टर 1,Z1,PS1 PS2 PS3`,
    `${ward},sector,S2,Sector Two,,Z1,PS5 PS4`,
    `${ward},sector,S3,Sector Three,,Z1,`,
    `${block},shakti_kendra,SK1,Block Kendra,,,W2/PS1 W1/PS6`))
  t.same(changed.json.counts, { rows: 4, created: 1, updated: 1, unchanged: 2, failed: 0 }, 'booths in another order are the same booths')
  t.match(await cluster(ward, 'S1'), { name: 'Sector One (renamed)', importId: changed.json.id, version: 2 })
  t.match(await cluster(ward, 'S3'), { parent: 'Z1', booths: [] }, 'a cluster without booths')

  const audit = await call(app, { method: 'GET', url: `/v1/audit?entityType=cluster&entityId=${z1!.id}` })
  t.match(audit.json.items, [{ action: 'create', entityType: 'cluster', unitId: (await lookup(ward)).id, after: { importId: first.json.id, line: 2 } }])
  const s1 = await cluster(ward, 'S1')
  const trail = await call(app, { method: 'GET', url: `/v1/audit?entityType=cluster&entityId=${s1!.id}` })
  t.same(trail.json.items.map((a: any) => [a.action, a.after.importId, a.after.line]), [['update', changed.json.id, 2], ['create', first.json.id, 3]],
    'one record per cluster created or updated; none for an unchanged row')
  const summary = await call(app, { method: 'GET', url: `/v1/audit?entityType=import&entityId=${changed.json.id}` })
  t.match(summary.json.items, [{ action: 'import', after: { kind: 'clusters', counts: { created: 1, updated: 1 } } }])
  t.same(await counterDrift(app.db), [], 'coverage counters stay exact')
})

t.test('NDJSON, and what a row leaves out: an absent column keeps the field, an empty cell clears it', async (t) => {
  const { ward } = await tree('CB')
  const nd = await importClusters(ndjson(
    { unit: ward, kind: 'zone', code: 'Z1', name: 'Zone' },
    { UNIT: ward, Kind: 'sector', code: 'S1', name: 'Sector', local_name: 'सेक्टर', parent: 'Z1', booths: 'PS1 PS2' }),
  { contentType: 'application/x-ndjson' })
  t.equal(nd.status, 200, nd.body)
  t.same(nd.json.counts, { rows: 2, created: 2, updated: 0, unchanged: 0, failed: 0 })

  const narrow = await importClusters(csv('unit,kind,code,name', `${ward},sector,S1,Sector Renamed`))
  t.same(narrow.json.counts, { rows: 1, created: 0, updated: 1, unchanged: 0, failed: 0 })
  t.match(await cluster(ward, 'S1'), { name: 'Sector Renamed', localName: 'सेक्टर', parent: 'Z1', booths: ['PS1', 'PS2'] }, 'no local_name, parent or booths column: kept')

  const emptyBooths = await importClusters(csv(HEADER, `${ward},sector,S1,Sector Renamed,सेक्टर,Z1,`))
  t.same(emptyBooths.json.counts, { rows: 1, created: 0, updated: 0, unchanged: 1, failed: 0 }, 'an empty booths cell leaves the booths as they are')

  const cleared = await importClusters(csv(HEADER, `${ward},sector,S1,Sector Renamed,,,`))
  t.same(cleared.json.counts, { rows: 1, created: 0, updated: 1, unchanged: 0, failed: 0 })
  t.match(await cluster(ward, 'S1'), { localName: null, parent: null, booths: ['PS1', 'PS2'] }, 'empty local_name and parent cells clear them')
})

t.test('booth sets replace the cluster\'s booths; a booth may move between clusters of one file', async (t) => {
  const { ward } = await tree('CC')
  t.equal((await importClusters(csv(HEADER, `${ward},sector,S1,One,,,PS1 PS2 PS3`, `${ward},sector,S2,Two,,,PS4 PS5`))).status, 200)

  const replaced = await importClusters(csv(HEADER, `${ward},sector,S1,One,,,PS2 PS3 PS6`))
  t.same(replaced.json.counts, { rows: 1, created: 0, updated: 1, unchanged: 0, failed: 0 })
  t.same((await cluster(ward, 'S1'))!.booths, ['PS2', 'PS3', 'PS6'], 'PS1 left, PS6 joined')

  // S2's row comes first and takes PS3, which S1's row gives up.
  const moved = await importClusters(csv(HEADER, `${ward},sector,S2,Two,,,PS3 PS4 PS5`, `${ward},sector,S1,One,,,PS2 PS6`))
  t.equal(moved.status, 200, moved.body)
  t.same(moved.json.counts, { rows: 2, created: 0, updated: 2, unchanged: 0, failed: 0 })
  t.same((await cluster(ward, 'S1'))!.booths, ['PS2', 'PS6'])
  t.same((await cluster(ward, 'S2'))!.booths, ['PS3', 'PS4', 'PS5'])

  const swapped = await importClusters(csv(HEADER, `${ward},sector,S1,One,,,PS2 PS3`, `${ward},sector,S2,Two,,,PS4 PS5 PS6`))
  t.same(swapped.json.counts.updated, 2, 'two clusters trading booths in one file')
  t.same((await cluster(ward, 'S1'))!.booths, ['PS2', 'PS3'])
  t.same((await cluster(ward, 'S2'))!.booths, ['PS4', 'PS5', 'PS6'])

  // The row that was to free PS3 fails, so the row that takes it fails too.
  const stuck = await importClusters(csv(HEADER, `${ward},sector,S2,Two,,,PS3 PS4 PS5 PS6`, `${ward},sector,S1,One,,,PS2 PS99`), { query: 'mode=partial' })
  t.same(errorsOf(stuck), [[2, 'booths', 'booth_in_cluster_of_kind'], [3, 'booths', 'booth_not_found']])
  t.match(stuck.json.errors[0].message, /PS3 .*line 3/)
  t.match(stuck.json.errors[1].message, /PS99/)
  t.same((await cluster(ward, 'S2'))!.booths, ['PS4', 'PS5', 'PS6'], 'nothing moved')

  t.equal((await importClusters(csv(HEADER, `${ward},shakti_kendra,SK1,Kendra,,,PS2 PS4`))).status, 200, 'a booth is in one cluster of each kind')
  t.same(await counterDrift(app.db), [])
})

t.test('each row that breaks a rule is named by line, column and code', async (t) => {
  const { ward, ward2, block } = await tree('CD')
  t.equal((await importClusters(csv(HEADER, `${ward},sector,S1,One,,,PS1 PS2`, `${ward},zone,Z1,Zone,,,`))).status, 200)
  const res = await importClusters(csv(HEADER,
    `${ward}/PS1/X,sector,S5,Nowhere,,,`, // 2
    `${ward},kendra,S5,Unknown kind,,,`, // 3
    'CD/D1,sector,S5,At a district,,,', // 4
    `${ward}/PS1,sector,S5,At a booth,,,`, // 5
    `${ward},sector,S 5,Bad code,,,`, // 6
    `${ward},shakti_kendra,S1,Another kind,,,`, // 7
    `${ward},sector,S6,Six,,,PS3`, // 8
    `${ward},sector,S6,Six again,,,PS4`, // 9
    `${ward},sector,S7,Seven,,,PS3 PS99`, // 10
    `${ward},sector,S8,Eight,,,PS2`, // 11
    `${ward},sector,S9,Nine,,,PS5 PS3`, // 12
    `${ward},sector,S10,Ten,,Z9,`, // 13
    `${ward},sector,S11,Eleven,,S1,`, // 14
    `${ward},zone,Z2,Zone with booths,,,PS6`, // 15
    `${ward},zone,Z3,Zone under a sector,,S1,`, // 16
    `${ward},sector,S12,Under the failed zone,,Z3,PS8`, // 17
    `${ward},,S13,No kind,,,`, // 18
    `${ward},sector,S14,Bad booth,,,PS#1`, // 19
    `${ward2},sector,S1,Good row,,,PS1`, // 20
    `${block},sector,S20,Not below,,,W3/PS1`), // 21
  { query: 'mode=partial' })
  t.equal(res.status, 200, res.body)
  t.same(errorsOf(res), [
    [2, 'unit', 'unit_not_found'],
    [3, 'kind', 'unknown_cluster_kind'],
    [4, 'kind', 'cluster_unit_level'],
    [5, 'kind', 'cluster_unit_level'],
    [6, 'code', 'invalid_code'],
    [7, 'kind', 'kind_mismatch'],
    [9, 'code', 'duplicate_cluster'],
    [10, 'booths', 'booth_not_found'],
    [11, 'booths', 'booth_in_cluster_of_kind'],
    [12, 'booths', 'booth_in_cluster_of_kind'],
    [13, 'parent', 'parent_not_found'],
    [14, 'parent', 'cluster_parent_mismatch'],
    [15, 'booths', 'cluster_groups_clusters'],
    [16, 'parent', 'cluster_parent_mismatch'],
    [17, 'parent', 'parent_not_found'],
    [18, 'kind', 'missing_value'],
    [19, 'booths', 'invalid_code'],
    [21, 'booths', 'booth_not_found']
  ])
  const byLine = new Map(res.json.errors.map((e: any) => [e.line, e.message]))
  t.match(byLine.get(10), /No booth PS99 below CD\/D1\/B1\/W1/)
  t.match(byLine.get(11), /PS2 is already in another cluster/)
  t.match(byLine.get(12), /PS3 is also listed on line 8/)
  t.match(byLine.get(17), /line 16/)
  t.same(res.json.counts, { rows: 20, created: 2, updated: 0, unchanged: 0, failed: 18 })
  t.same((await cluster(ward, 'S6'))!.booths, ['PS3'], 'partial: the first row of a cluster is written')
  t.ok(await cluster(ward2, 'S1'), 'a code is unique within its unit only')
  t.notOk(await cluster(ward, 'S12'))
})

t.test('a dry run checks every row and writes nothing; all or nothing writes nothing when a row fails; partial writes the good rows', async (t) => {
  const { ward } = await tree('CE')
  const file = csv(HEADER, `${ward},sector,S1,One,,,PS1`, `${ward},sector,S2,Two,,,PS99`, `${ward},sector,S3,Three,,,PS3`)

  const dry = await importClusters(file, { query: 'dryRun=true&mode=partial' })
  t.equal(dry.status, 200)
  t.equal(dry.json.status, 'dry_run')
  t.same(dry.json.counts, { rows: 3, created: 2, updated: 0, unchanged: 0, failed: 1 }, 'what the rows would have done')
  t.equal(await clustersIn('CE'), 0, 'a dry run writes nothing')

  const none = await importClusters(file)
  t.equal(none.status, 422)
  t.equal(none.json.code, 'import_failed')
  t.equal(none.json.importStatus, 'failed')
  t.same(errorsOf(none), [[3, 'booths', 'booth_not_found']])
  t.equal(await clustersIn('CE'), 0, 'all or nothing: one bad row and nothing is written')

  const some = await importClusters(file, { query: 'mode=partial' })
  t.equal(some.status, 200)
  t.equal(some.json.status, 'partial')
  t.same(some.json.counts, { rows: 3, created: 2, updated: 0, unchanged: 0, failed: 1 })
  t.equal(await clustersIn('CE'), 2)
  const rerun = await importClusters(file, { query: 'mode=partial' })
  t.same(rerun.json.counts, { rows: 3, created: 0, updated: 0, unchanged: 2, failed: 1 }, 'the re-run: the written rows unchanged')
})

t.test('scope: a district importer gets outside_scope for another district\'s unit, without learning whether it exists', async (t) => {
  const { ward, far } = await tree('CF')
  const importer = await mintKey(app, 'importer', (await lookup('CF/D1')).id)
  const res = await importClusters(csv(HEADER,
    `${ward},sector,S1,Mine,,,PS1`,
    `${far},sector,S1,Theirs,,,PS1`,
    'CF/D2/B9/W77,sector,S1,Nowhere over there,,,'), { key: importer, query: 'mode=partial' })
  t.equal(res.status, 200, res.body)
  t.same(errorsOf(res), [[3, 'unit', 'outside_scope'], [4, 'unit', 'outside_scope']])
  t.equal(res.json.counts.created, 1)
  t.notOk(await cluster(far, 'S1'))
  t.match(await cluster(ward, 'S1'), { booths: ['PS1'] })

  const editor = await mintKey(app, 'editor')
  t.equal((await importClusters(csv(HEADER, `${ward},sector,S2,Two,,,`), { key: editor })).status, 403, 'editors do not import')
})

t.test('refused files: an unknown or missing column', async (t) => {
  const unknown = await importClusters(csv('unit,kind,code,name,booth', 'X,sector,S1,One,PS1'))
  t.equal(unknown.status, 400)
  t.equal(unknown.json.code, 'unknown_column')
  t.equal(unknown.json.column, 'booth')
  const missing = await importClusters(csv('unit,kind,name', 'X,sector,One'))
  t.equal(missing.json.code, 'missing_column')
  t.equal(missing.json.column, 'code')
})

t.test('examples/clusters.csv fits the demo seed\'s tree (DM, seed 1) and its sectors', async (t) => {
  const booths = [
    ...['0001', '0002', '0003', '0004', '0004A', '0005', '0006', '0007'].map(n => `DM,BRG,B01,W01,AC005-PS${n}`),
    ...['0008', '0009', '0010'].map(n => `DM,BRG,B01,W02,AC005-PS${n}`),
    ...['0014', '0015'].map(n => `DM,BRG,B01,W03,AC005-PS${n}`)
  ]
  t.equal((await postImport(app, 'units', csv('state,district,block,ward,booth', ...booths))).status, 200)
  // The ward's two sectors as the demo seed lays them out.
  const seeded = await importClusters(csv(HEADER,
    'DM/BRG/B01/W01,sector,S01,"Ward 1, Vivekanand Nagar Sector 1","वार्ड 1, विवेकानंद नगर सेक्टर 1",,AC005-PS0001 AC005-PS0002 AC005-PS0003 AC005-PS0004 AC005-PS0004A',
    'DM/BRG/B01/W01,sector,S02,"Ward 1, Vivekanand Nagar Sector 2","वार्ड 1, विवेकानंद नगर सेक्टर 2",,AC005-PS0005 AC005-PS0006 AC005-PS0007'))
  t.equal(seeded.status, 200, seeded.body)
  const example = readFileSync(new URL('../examples/clusters.csv', import.meta.url), 'utf8')
  const res = await importClusters(example)
  t.equal(res.status, 200, res.body)
  t.same(res.json.counts, { rows: 4, created: 2, updated: 2, unchanged: 0, failed: 0 }, 'a zone over the two sectors, a booth moved from one to the other, a block\'s shakti kendra')
  t.match(await cluster('DM/BRG/B01/W01', 'S02'), { parent: 'Z1', booths: ['AC005-PS0004A', 'AC005-PS0005', 'AC005-PS0006', 'AC005-PS0007'] })
  t.same((await cluster('DM/BRG/B01', 'SK1'))!.booths, ['W02/AC005-PS0008', 'W02/AC005-PS0009', 'W03/AC005-PS0014', 'W03/AC005-PS0015'])
  t.same((await importClusters(example)).json.counts.unchanged, 4)
})

t.test('the import command takes --kind clusters and writes the failed rows beside the file', async (t) => {
  const { ward } = await tree('CG')
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sangathan-clusters-')))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'sectors.csv')
  writeFileSync(file, csv(HEADER, `${ward},sector,S1,One,,,PS1 PS2`, `${ward},sector,S2,Two,,,PS2`))
  const env: NodeJS.ProcessEnv = { ...process.env, SANGATHAN_API_KEY: ADMIN_KEY }
  delete env.SANGATHAN_URL
  const ran = await new Promise<{ code: number, stdout: string }>(resolve => {
    execFile(...node('cli/import', file, '--kind', 'clusters', '--mode', 'partial', '--url', url), { env }, (err, stdout) =>
      resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout }))
  })
  t.equal(ran.code, 1, ran.stdout)
  t.match(ran.stdout, /rows 2 +created 1 +updated 0 +unchanged 0 +failed 1/)
  const errors = readFileSync(`${file}.errors.csv`, 'utf8').trim().split('\n')
  t.equal(errors[0], `line,column,code,message,${HEADER}`)
  t.match(errors[1], /^3,booths,booth_in_cluster_of_kind,.*PS2.*line 2.*,S2,Two,,,PS2$/)
})
