import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { sql } from 'drizzle-orm'
import pg from 'pg'
import t from 'tap'
import { openPgliteClient, rows, type Database } from '../src/db/client.js'
import { readRoutines } from '../src/db/routines.js'
import { buildTestApp, call, directUrl, freshDatabaseUrl, usingPostgres } from './helpers/app.js'
import { counterDrift } from './helpers/counters.js'
import { activeMember, appoint } from './helpers/people.js'

/**
 * A database made by the release before the routines moved out of the migrations (the
 * `demo` preset and a few API writes, dumped by pg_dump from PostgreSQL 15: see
 * test/fixtures/README.md) is upgraded in place by opening it with this code, on the
 * backend under test: the migrations since, then every routine. Afterwards it must run
 * exactly the routines a fresh database runs, keep every row, and keep its counters exact.
 */

const FIXTURE = new URL('./fixtures/release-0.1.0-demo.sql.gz', import.meta.url)

/**
 * The dump as a script either engine runs: without psql's meta-commands or what needs an
 * extension's owner, and with public on the search path (a trigger's WHEN ... IS DISTINCT
 * FROM over ltree cannot be schema-qualified, so pg_dump's empty search path cannot
 * restore it).
 */
function fixtureScript (): string {
  return gunzipSync(readFileSync(FIXTURE)).toString('utf8').split('\n')
    .filter(line => !/^\\/.test(line) && !/^COMMENT ON EXTENSION/.test(line))
    .map(line => line.startsWith("SELECT pg_catalog.set_config('search_path', '', false);") ? "SELECT pg_catalog.set_config('search_path', 'public, pg_catalog', false);" : line)
    .join('\n')
}

const COUNTED = ['units', 'people', 'memberships', 'appointments', 'api_keys', 'audit_log', 'imports'] as const
/** The release's handles, one row per person and platform: person:platform:value. */
const RELEASE_HANDLES = `
  SELECT p.id::text || ':' || v.platform || ':' || v.value AS r
    FROM public.people p
   CROSS JOIN LATERAL (VALUES ('twitter', p.twitter), ('youtube', p.youtube), ('facebook', p.facebook), ('instagram', p.instagram)) AS v(platform, value)
   WHERE nullif(btrim(v.value), '') IS NOT NULL ORDER BY 1`
type Counts = Record<typeof COUNTED[number], number>

/**
 * The release's main-body figures per unit, as text rows: office-bearers, committees of 1
 * or more, filled posts. (Office-bearers with a handle are checked apart: a handle that
 * fails its platform's rule or collides is an issue now, not a handle.)
 */
const RELEASE_FIGURES = `
  SELECT s.unit_id::text || ':' || s.office_bearers || ':' || (s.committee_histogram[2:33])::text AS r FROM public.unit_stats s
  UNION ALL
  SELECT p.unit_id::text || ':' || p.role_code || ':' || p.filled_booths FROM public.post_stats p WHERE p.filled_booths <> 0
  ORDER BY 1`
/** The same figures, as this code keeps them: the wing 'main'. */
const MAIN_FIGURES = sql`
  SELECT s.unit_id::text || ':' || coalesce(o.office_bearers, 0) || ':' || ((coalesce(o.committee_histogram, array_fill(0, ARRAY[33])))[2:33])::text AS r
    FROM unit_stats s LEFT JOIN office_stats o ON o.unit_id = s.unit_id AND o.wing_code = 'main'
  UNION ALL
  SELECT p.unit_id::text || ':' || p.role_code || ':' || p.filled_booths FROM post_stats p WHERE p.wing_code = 'main' AND p.filled_booths <> 0
  ORDER BY 1`

/** Loads the release's database, returns where it is, what it holds and its main-body figures. */
async function loadRelease (): Promise<{ on: { databaseUrl?: string, pgliteDir?: string }, counts: Counts, figures: string[], handles: string[] }> {
  const script = fixtureScript()
  const countSql = `SELECT ${COUNTED.map(table => `(SELECT count(*)::int FROM public.${table}) AS ${table}`).join(', ')}`
  if (usingPostgres) {
    const databaseUrl = (await freshDatabaseUrl(t))!
    const client = new pg.Client({ connectionString: directUrl(databaseUrl) })
    await client.connect()
    await client.query(script)
    const { rows: [counts] } = await client.query(countSql)
    const figures = (await client.query<{ r: string }>(RELEASE_FIGURES)).rows.map(x => x.r)
    const handles = (await client.query<{ r: string }>(RELEASE_HANDLES)).rows.map(x => x.r)
    await client.end()
    return { on: { databaseUrl }, counts, figures, handles }
  }
  const pgliteDir = mkdtempSync(join(tmpdir(), 'sangathan-upgrade-'))
  t.teardown(() => rmSync(pgliteDir, { recursive: true, force: true }))
  const pglite = await openPgliteClient(pgliteDir)
  await pglite.exec(script)
  const { rows: [counts] } = await pglite.query<Counts>(countSql)
  const figures = (await pglite.query<{ r: string }>(RELEASE_FIGURES)).rows.map(x => x.r)
  const handles = (await pglite.query<{ r: string }>(RELEASE_HANDLES)).rows.map(x => x.r)
  await pglite.close()
  return { on: { pgliteDir }, counts, figures, handles }
}

/** Every routine the database runs, by name: functions, triggers and views of the public schema. */
async function routinesOf (db: Database): Promise<Map<string, string>> {
  const found = await rows<{ name: string, definition: string }>(db, sql`
    SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS name, pg_get_functiondef(p.oid) AS definition
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'public'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
    UNION ALL
    SELECT 'trigger ' || tgrelid::regclass::text || '.' || tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL
    SELECT 'view ' || viewname, definition FROM pg_views WHERE schemaname = 'public'`)
  return new Map(found.map(r => [r.name, r.definition]))
}

const release = await loadRelease()
const { app } = await buildTestApp(t, {}, release.on)
// Migrated from empty by its own boot: the real path, not the snapshot other files start from.
const fresh = await buildTestApp(t, {}, { empty: true })

t.test('the release database is upgraded to exactly the current routines', async (t) => {
  const upgraded = await routinesOf(app.db)
  const current = await routinesOf(fresh.app.db)
  t.same([...upgraded.keys()].sort(), [...current.keys()].sort(), 'the same functions, triggers and views: none left over, none missing')
  const differing = [...current].filter(([name, definition]) => upgraded.get(name) !== definition).map(([name]) => name)
  t.same(differing, [], 'every definition is the current one')
  t.notOk(upgraded.has('has_social_handle(p_person uuid)'), 'the dead function is gone')

  const recorded = await rows<{ name: string, checksum: string }>(app.db, sql`SELECT name, checksum FROM schema_routines ORDER BY name`)
  t.same(recorded, readRoutines().map(r => ({ name: r.name, checksum: r.checksum })), 'each routine file is recorded with its checksum')
})

t.test('every row is kept, the counters stay exact and the rules hold', async (t) => {
  const [after] = await rows<Counts>(app.db, sql.raw(`SELECT ${COUNTED.map(table => `(SELECT count(*)::int FROM ${table}) AS ${table}`).join(', ')}`))
  // Start-up adds the bootstrap key of the test app and its audit record.
  t.same({ ...after, api_keys: after.api_keys - 1, audit_log: after.audit_log - 1 }, release.counts, 'no row lost or added')
  t.same(await counterDrift(app.db), [], 'the counters the release maintained equal a full recount')
  const [violations] = await rows<{ own_booth: number, posts: number }>(app.db, sql`
    SELECT (SELECT count(*)::int FROM own_booth_violations()) AS own_booth, (SELECT count(*)::int FROM post_violations()) AS posts`)
  t.same(violations, { own_booth: 0, posts: 0 })
})

t.test('wings: every release term is the main body\'s, with the same counters', async (t) => {
  t.ok(release.figures.length > 100, `the release counted (${release.figures.length} figures)`)
  t.same((await rows<{ r: string }>(app.db, MAIN_FIGURES)).map(x => x.r), release.figures, 'the main body\'s figures are the release\'s')
  const [wings] = await rows<{ other: number, roles: number }>(app.db, sql`
    SELECT (SELECT count(*)::int FROM appointments WHERE wing_code <> 'main') AS other,
           (SELECT count(*)::int FROM roles WHERE wing_code = 'youth') AS roles`)
  t.same(wings, { other: 0, roles: 4 }, 'no term moved to another wing; the wings have their roles')
})

t.test('social media handles: every release value is a canonical handle or an issue an admin can fetch', async (t) => {
  t.ok(release.handles.length > 100, `the release had handles (${release.handles.length})`)
  const kept = await rows<{ r: string, raw: string }>(app.db, sql`
    SELECT h.person_id::text || ':' || h.platform_code AS r, h.handle AS raw FROM person_handles h ORDER BY 1`)
  const issues = await rows<{ r: string, reason: string, taken_by: string | null }>(app.db, sql`
    SELECT i.person_id::text || ':' || i.platform_code || ':' || i.raw_value AS r, i.reason, i.taken_by FROM handle_issues i ORDER BY 1`)
  t.equal(kept.length + issues.length, release.handles.length, `each of the ${release.handles.length} values is kept (${kept.length}) or an issue (${issues.length}): none lost`)
  const keptKeys = new Set(kept.map(k => k.r))
  const issueKeys = new Set(issues.map(i => i.r))
  t.same(release.handles.filter(h => !keptKeys.has(h.split(':').slice(0, 2).join(':')) && !issueKeys.has(h)), [], 'every release value is accounted for')
  t.ok(kept.every(k => /^[a-z0-9._-]+$/.test(k.raw)), 'kept handles are canonical')
  t.ok(issues.every(i => i.reason === 'invalid_handle' || i.taken_by !== null), 'a taken handle names who kept it')
  const [mirror] = await rows<{ n: number }>(app.db, sql`
    SELECT count(*)::int AS n FROM people p
     WHERE p.handle_platforms <> coalesce((SELECT array_agg(h.platform_code ORDER BY h.platform_code) FROM person_handles h WHERE h.person_id = p.id), '{}')`)
  t.equal(mirror.n, 0, 'people.handle_platforms mirrors the migrated handles')
})

t.test('the upgraded database serves and takes changes through the API', async (t) => {
  const district = await call(app, { method: 'GET', url: '/v1/units/lookup?path=DM/BRG' })
  t.equal(district.status, 200)
  const coverage = await call(app, { method: 'GET', url: `/v1/units/${district.json.id}/coverage` })
  t.equal(coverage.status, 200)
  t.ok(coverage.json.unit.totalBooths > 50, `the district's booths are counted (${coverage.json.unit.totalBooths})`)

  // A booth of the release's, a new president there, and the counters moving with it.
  const gaps = await call(app, { method: 'GET', url: `/v1/units/${district.json.id}/gaps?role=president&limit=1` })
  const booth = gaps.json.items[0]
  const { person } = await activeMember(app, booth.id, 'Upgraded President')
  await appoint(app, { personId: person.id, unitId: booth.id, role: 'president' })
  const after = await call(app, { method: 'GET', url: `/v1/units/${district.json.id}/coverage` })
  t.equal(after.json.unit.coveredBooths, coverage.json.unit.coveredBooths + 1)
  t.same(await counterDrift(app.db), [])

  // The release's own terms are still refused the way the rule says.
  const sitting = await rows<{ membership_id: string }>(app.db, sql`
    SELECT m.id AS membership_id FROM appointments a JOIN memberships m ON m.person_id = a.person_id AND m.status = 'current'
     WHERE a.end_date IS NULL AND a.import_id IS NULL LIMIT 1`)
  const lapse = await call(app, { method: 'PATCH', url: `/v1/memberships/${sitting[0].membership_id}`, payload: { status: 'lapsed' } })
  t.equal(lapse.status, 409)
  t.equal(lapse.json.code, 'office_bearer_cannot_lapse')
})

t.test('the migrated database other test files start from is what a fresh migration makes', async (t) => {
  const { app: copy } = await buildTestApp(t)
  t.same(await routinesOf(copy.db), await routinesOf(fresh.app.db), 'the same functions, triggers and views, defined the same')
  const columns = sql`SELECT table_name, column_name, data_type, column_default FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2`
  t.same(await rows(copy.db, columns), await rows(fresh.app.db, columns), 'the same tables and columns')
  const done = sql`SELECT (SELECT count(*)::int FROM drizzle.__drizzle_migrations) AS migrations, (SELECT count(*)::int FROM schema_routines) AS routines`
  t.same(await rows(copy.db, done), await rows(fresh.app.db, done), 'the same migrations and routines recorded')
})
