import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { systemActor } from '../src/access/actor.js'
import { rows } from '../src/db/client.js'
import { coverageByAssemblyReport, coverageReport, coverageTrend, gapsReport, nationalCoverage } from '../src/coverage/service.js'
import { DEFAULT_MIN_COMMITTEE, DEFAULT_NEW_MEMBER_DAYS } from '../src/coverage/schemas.js'
import { type UnitRow } from '../src/units/queries.js'
import { complianceReport, nonCompliant } from '../src/social-media/compliance.js'
import { assemblyCoverage } from '../src/assemblies/coverage.js'
import { listAssemblies } from '../src/assemblies/queries.js'
import { clusterCoverageQuestion, clusterCoveragePage } from '../src/clusters/coverage.js'
import { clusterGapsReport } from '../src/clusters/gaps.js'
import { clientThread } from './client-thread.js'
import { fmt, percentile, table, timeRepeated } from './stats.js'
import { benchApp } from './app.js'
import { loadedState } from './loaded.js'

/**
 * Coverage, gaps and the social media duty on a loaded state (npm run seed -- --preset up), through real HTTP
 * from a client thread and in this process (app.inject), beside the SQL the endpoint runs
 * and a naive GROUP BY / anti-join over the base tables with no counters (the floor the
 * design has to beat), in the same run.
 *
 *   DATABASE_URL=postgres://…/sangathan_bench npm run bench -- coverage [STATE_CODE]
 */
export async function benchCoverage () {
  if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL to a PostgreSQL database loaded with npm run seed -- --preset up')
  const { app, base, headers } = await benchApp({ listen: true })
  const db = app.db
  const actor = systemActor()

  // A district of typical size: the median by booth count.
  const { state, districts, district, districtBooths } = await loadedState(db, actor)
  const [{ booths }] = await rows<{ booths: number }>(db, sql`SELECT total_booths AS booths FROM unit_stats WHERE unit_id = ${state.id}`)
  console.log(`state ${state.codePath}: ${booths} booths, ${districts.length} districts; district ${district.codePath}: ${districtBooths} booths`)

  const N = Number(process.env.BENCH_REPEAT ?? 60)
  // "SQL" below is everything the endpoint reads (scope check, role, rows), called the way
  // the route calls it, for the same rows (the requests ask limit=500 where the SQL does),
  // so API - SQL is the HTTP, auth and JSON overhead alone.
  const params = { wing: 'main', role: 'president', minCommittee: DEFAULT_MIN_COMMITTEE, newMemberDays: DEFAULT_NEW_MEMBER_DAYS, limit: 500 }
  // The API timed by a client on its own thread (bench/client-thread.ts): the server's
  // latency, not the client's CPU on the server's event loop as well.
  const client = clientThread()
  const http = (path: string) => () => client.get(base + path, headers)
  // The same request in this process (app.inject): no socket, no client; what the service
  // itself adds (key check, validation, rows to objects, serialising) beside the SQL.
  const inProcess = (path: string) => async () => {
    const res = await app.inject({ method: 'GET', url: path, headers })
    if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body}`)
  }
  // The floor: the best plain GROUP BY over the base tables, with no counters.
  // (parent null: the states, for the national rollup.)
  const naiveCoverage = (parent: UnitRow | null, wing = 'main') => async () => rows(db, sql`
    SELECT c.id, count(*) AS booths, count(p.unit_id) AS covered
      FROM units c
      JOIN units b ON b.level = 'booth' AND b.code_path >= c.code_path || '/' AND b.code_path < c.code_path || '0'
      LEFT JOIN (SELECT DISTINCT unit_id FROM appointments WHERE wing_code = ${wing} AND role_code = 'president' AND end_date IS NULL) p ON p.unit_id = b.id
     WHERE ${parent ? sql`c.parent_id = ${parent.id}` : sql`c.level = 'state'`}
     GROUP BY c.id`)
  const naiveGaps = (wing = 'main') => async () => rows(db, sql`
    SELECT b.id, b.code_path FROM units b
     WHERE b.level = 'booth' AND b.code_path >= ${state.codePath + '/'} AND b.code_path < ${state.codePath + '0'}
       AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.unit_id = b.id AND a.wing_code = ${wing} AND a.role_code = 'president' AND a.end_date IS NULL)
     ORDER BY b.code_path LIMIT 51`)

  // The trend's floor: for each of the 12 weekly days, the booths with a president in
  // office that day, straight from the terms (president has one seat: a distinct count).
  const naiveTrend = (parent: UnitRow) => async () => rows(db, sql`
    WITH days AS (SELECT india_today() - 7 * g AS day FROM generate_series(0, 11) AS g)
    SELECT c.id, d.day, count(DISTINCT a.unit_id) AS filled
      FROM units c
      JOIN units b ON b.level = 'booth' AND b.code_path >= c.code_path || '/' AND b.code_path < c.code_path || '0'
      JOIN appointments a ON a.unit_id = b.id AND a.wing_code = 'main' AND a.role_code = 'president'
      JOIN days d ON a.start_date <= d.day AND (a.end_date IS NULL OR a.end_date > d.day)
     WHERE c.parent_id = ${parent.id}
     GROUP BY c.id, d.day`)
  const trendParams = { wing: 'main', role: 'president', weeks: 12, limit: 500 }

  // The social media duty's floor: every bound term's compliance from the terms, handles
  // and policy (the bound_terms view), grouped per child by code-path range.
  const naiveCompliance = (parent: UnitRow) => async () => rows(db, sql`
    SELECT c.id, count(*) AS bound, count(*) FILTER (WHERE t.ok) AS compliant
      FROM units c
      JOIN (SELECT b.unit_id, bool_and(b.held) AS ok FROM bound_terms b GROUP BY b.appointment_id, b.unit_id) t ON true
      JOIN units u ON u.id = t.unit_id AND u.code_path >= c.code_path || '/' AND u.code_path < c.code_path || '0'
     WHERE c.parent_id = ${parent.id}
     GROUP BY c.id`)
  const naiveNonCompliant = () => async () => rows(db, sql`
    SELECT b.appointment_id, u.code_path FROM bound_terms b JOIN units u ON u.id = b.unit_id
     WHERE u.code_path >= ${state.codePath + '/'} AND u.code_path < ${state.codePath + '0'}
     GROUP BY b.appointment_id, u.code_path HAVING NOT bool_and(b.held)
     ORDER BY u.code_path, b.appointment_id LIMIT 51`)
  const duty = { wing: 'all', limit: 500 }

  // A constituency in the middle of the state's numbering, and the floors for its reports:
  // its booths grouped by block with a president flag; its booths without one.
  const [assembly] = await rows<{ id: string, number: number, booths: number }>(db, sql`
    SELECT a.id, a.number, (SELECT count(*)::int FROM units b WHERE b.assembly_id = a.id) AS booths
      FROM assemblies a WHERE a.state_id = ${state.id} ORDER BY a.number OFFSET (SELECT count(*) / 2 FROM assemblies WHERE state_id = ${state.id}) LIMIT 1`)
  if (assembly) console.log(`constituency ${state.codePath} ${assembly.number}: ${assembly.booths} booths`)
  const naiveAssemblies = () => async () => rows(db, sql`
    SELECT b.assembly_id, count(*) AS booths FROM units b
     WHERE b.level = 'booth' AND b.code_path >= ${state.codePath + '/'} AND b.code_path < ${state.codePath + '0'} AND b.assembly_id IS NOT NULL
     GROUP BY b.assembly_id ORDER BY b.assembly_id LIMIT 51`)
  const naiveAssemblyCoverage = () => async () => rows(db, sql`
    SELECT split_part(b.code_path, '/', 3) AS block, count(*) AS booths, count(p.unit_id) AS covered
      FROM units b
      LEFT JOIN (SELECT DISTINCT unit_id FROM appointments WHERE wing_code = 'main' AND role_code = 'president' AND end_date IS NULL) p ON p.unit_id = b.id
     WHERE b.assembly_id = ${assembly?.id ?? null}
     GROUP BY 1`)
  // The state (or district) by constituency, recounted from the booths: each booth's
  // president flag and active members, grouped by its constituency.
  const naiveByAssembly = (unit: UnitRow) => async () => rows(db, sql`
    SELECT b.assembly_id, count(*) AS booths, count(p.unit_id) AS covered, sum(m.n) AS active
      FROM units b
      LEFT JOIN (SELECT DISTINCT unit_id FROM appointments WHERE wing_code = 'main' AND role_code = 'president' AND end_date IS NULL) p ON p.unit_id = b.id
      LEFT JOIN (SELECT booth_id, count(*) AS n FROM memberships WHERE status = 'current' AND grade = 'active' GROUP BY booth_id) m ON m.booth_id = b.id
     WHERE b.level = 'booth' AND b.assembly_id IS NOT NULL AND b.code_path >= ${unit.codePath + '/'} AND b.code_path < ${unit.codePath + '0'}
     GROUP BY b.assembly_id`)
  const byAssembly = { ...params, by: 'assembly' as const }
  const naiveAssemblyGaps = () => async () => rows(db, sql`
    SELECT b.id, b.code_path FROM units b
     WHERE b.assembly_id = ${assembly?.id ?? null}
       AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.unit_id = b.id AND a.wing_code = 'main' AND a.role_code = 'president' AND a.end_date IS NULL)
     ORDER BY b.code_path LIMIT 51`)

  // Sectors (seeded in every ward): the state's without an in-charge, first page; a
  // district's sectors with their in-charge and booths' president coverage, first page.
  const naiveSectorGaps = () => async () => rows(db, sql`
    SELECT c.id, u.code_path, c.code FROM clusters c JOIN units u ON u.id = c.unit_id
     WHERE c.kind_code = 'sector' AND u.code_path >= ${state.codePath + '/'} AND u.code_path < ${state.codePath + '0'}
       AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.cluster_id = c.id AND a.role_code = 'sector_incharge' AND a.end_date IS NULL)
     ORDER BY u.code_path, c.code LIMIT 51`)
  const naiveSectorCoverage = () => async () => rows(db, sql`
    SELECT c.id, count(*) AS booths, count(p.unit_id) AS covered,
           bool_or(EXISTS (SELECT 1 FROM appointments a WHERE a.cluster_id = c.id AND a.role_code = 'sector_incharge' AND a.end_date IS NULL)) AS staffed
      FROM (SELECT c.id FROM clusters c JOIN units u ON u.id = c.unit_id
             WHERE c.kind_code = 'sector' AND u.code_path >= ${district.codePath + '/'} AND u.code_path < ${district.codePath + '0'}
             ORDER BY u.code_path, c.code LIMIT 51) c
      JOIN cluster_booths cb ON cb.cluster_id = c.id
      LEFT JOIN (SELECT DISTINCT unit_id FROM appointments WHERE wing_code = 'main' AND role_code = 'president' AND end_date IS NULL) p ON p.unit_id = cb.booth_id
     GROUP BY c.id`)

  const cases: Array<{ what: string, target: string, path: string, endpointSql: () => Promise<unknown>, naive: () => Promise<unknown> }> = [
    { what: 'coverage: state by district', target: 'p50 <= 50 ms', path: `/v1/units/${state.id}/coverage?limit=500`, endpointSql: () => coverageReport(db, actor, state.id, params), naive: naiveCoverage(state) },
    // The national rollup: one counters row set per state (one state here; issue 18 asks it on india).
    { what: 'coverage: the country by state', target: 'p50 < 20 ms', path: '/v1/coverage?limit=500', endpointSql: () => nationalCoverage(db, actor, params), naive: naiveCoverage(null) },
    { what: 'coverage: district by block', target: 'p50 <= 15 ms', path: `/v1/units/${district.id}/coverage?limit=500`, endpointSql: () => coverageReport(db, actor, district.id, params), naive: naiveCoverage(district) },
    { what: 'trend: state by district, 12 weeks', target: 'p50 < 100 ms', path: `/v1/units/${state.id}/coverage/trend?limit=500`, endpointSql: () => coverageTrend(db, actor, state.id, trendParams), naive: naiveTrend(state) },
    { what: 'trend: district by block, 12 weeks', target: 'p50 < 100 ms', path: `/v1/units/${district.id}/coverage/trend?limit=500`, endpointSql: () => coverageTrend(db, actor, district.id, trendParams), naive: naiveTrend(district) },
    { what: 'gaps: first page of the state', target: 'p50 <= 20 ms', path: `/v1/units/${state.id}/gaps`, endpointSql: () => gapsReport(db, actor, state.id, { wing: 'main', role: 'president', level: 'booth', limit: 50 }), naive: naiveGaps() },
    // A frontal organisation's figures come from the same counters, per wing: the same time.
    { what: 'youth wing: state by district', target: 'as main body', path: `/v1/units/${state.id}/coverage?wing=youth&limit=500`, endpointSql: () => coverageReport(db, actor, state.id, { ...params, wing: 'youth' }), naive: naiveCoverage(state, 'youth') },
    { what: 'social media: state by district', target: 'p50 < 50 ms', path: `/v1/units/${state.id}/social-media?limit=500`, endpointSql: () => complianceReport(db, actor, state.id, duty), naive: naiveCompliance(state) },
    { what: 'social media: district by block', target: 'p50 < 50 ms', path: `/v1/units/${district.id}/social-media?limit=500`, endpointSql: () => complianceReport(db, actor, district.id, duty), naive: naiveCompliance(district) },
    { what: 'social media: non-compliant, first page', target: 'p50 <= 20 ms', path: `/v1/units/${state.id}/social-media/non-compliant`, endpointSql: () => nonCompliant(db, actor, state.id, { wing: 'all', limit: 50 }), naive: naiveNonCompliant() },
    { what: 'youth wing: gaps, first page', target: 'as main body', path: `/v1/units/${state.id}/gaps?wing=youth`, endpointSql: () => gapsReport(db, actor, state.id, { wing: 'youth', role: 'president', level: 'booth', limit: 50 }), naive: naiveGaps('youth') },
    ...(assembly
      ? [
          { what: 'assemblies: the state\'s first page', target: 'p50 < 50 ms', path: `/v1/assemblies?stateId=${state.id}`, endpointSql: () => listAssemblies(db, actor, { stateId: state.id, limit: 50 }), naive: naiveAssemblies() },
          { what: 'assembly: coverage by block', target: 'p50 < 50 ms', path: `/v1/assemblies/${assembly.id}/coverage?limit=500`, endpointSql: () => assemblyCoverage(db, actor, assembly.id, { ...params, by: 'block' }), naive: naiveAssemblyCoverage() },
          { what: 'coverage: state by constituency', target: 'p50 < 50 ms', path: `/v1/units/${state.id}/coverage?by=assembly&limit=500`, endpointSql: () => coverageByAssemblyReport(db, actor, state.id, byAssembly), naive: naiveByAssembly(state) },
          { what: 'coverage: district by constituency', target: 'p50 < 50 ms', path: `/v1/units/${district.id}/coverage?by=assembly&limit=500`, endpointSql: () => coverageByAssemblyReport(db, actor, district.id, byAssembly), naive: naiveByAssembly(district) },
          { what: 'assembly: gaps, first page', target: 'p50 <= 20 ms', path: `/v1/units/${state.id}/gaps?assemblyId=${assembly.id}`, endpointSql: () => gapsReport(db, actor, state.id, { wing: 'main', role: 'president', level: 'booth', assemblyId: assembly.id, limit: 50 }), naive: naiveAssemblyGaps() }
        ]
      : []),
    { what: 'sectors without an in-charge: state, first page', target: 'p50 <= 20 ms', path: `/v1/units/${state.id}/cluster-gaps?kind=sector`, endpointSql: () => clusterGapsReport(db, actor, state.id, { kind: 'sector', wing: 'main', limit: 50 }), naive: naiveSectorGaps() },
    { what: 'sectors of a district: coverage, first page', target: 'p50 < 50 ms', path: `/v1/units/${district.id}/cluster-coverage?kind=sector`, endpointSql: async () => { const { unit, role } = await clusterCoverageQuestion(db, actor, district.id, { kind: 'sector', wing: 'main', role: 'president' }); return clusterCoveragePage(db, unit, role, 'sector', params, { limit: 51 }) }, naive: naiveSectorCoverage() }
  ]
  const out = []
  for (const c of cases) {
    const request = http(c.path)
    const injected = inProcess(c.path)
    await request(); await injected(); await c.endpointSql(); await c.naive() // warm caches and plans
    // Alternating, request, in-process request and SQL, so that drift on a shared machine falls on all three.
    const api: number[] = []
    const inject: number[] = []
    const endpointSql: number[] = []
    for (let i = 0; i < N; i++) {
      api.push(await request())
      inject.push(...await timeRepeated(1, injected))
      endpointSql.push(...await timeRepeated(1, c.endpointSql))
    }
    const naive = await timeRepeated(Math.max(10, Math.floor(N / 3)), c.naive)
    const apiP50 = percentile(api, 50)
    const sqlP50 = percentile(endpointSql, 50)
    out.push({
      question: c.what,
      'API p50': fmt(apiP50),
      'API p95': fmt(percentile(api, 95)),
      'SQL p50': fmt(sqlP50),
      'API - SQL': fmt(apiP50 - sqlP50),
      'in-process - SQL': fmt(percentile(inject, 50) - sqlP50),
      'naive p50': fmt(percentile(naive, 50)),
      'naive / API': (percentile(naive, 50) / apiP50).toFixed(1) + 'x',
      target: c.target
    })
  }
  table(out)
  await client.close()

  // The whole CSV of the state's president gaps, with the server's memory sampled as it streams.
  const csv = await streamCsv(app, `${base}/v1/units/${state.id}/gaps?format=csv`, headers)
  console.log(`\nfull CSV of ${state.codePath} president gaps: ${csv.rows} rows, ${(csv.bytes / 1e6).toFixed(1)} MB in ${fmt(csv.ms)} (target <= 2 s); ` +
    `RSS ${csv.rssStart} MB at start, peak ${csv.rssPeak} MB (+${csv.rssPeak - csv.rssStart} MB), heap peak +${csv.heapGrowth} MB`)
  await app.close()
}

export async function streamCsv (_app: FastifyInstance, url: string, headers: Record<string, string>) {
  global.gc?.()
  const mb = (n: number) => Math.round(n / 1e6)
  const rssStart = mb(process.memoryUsage().rss)
  const heapStart = process.memoryUsage().heapUsed
  let rssPeak = rssStart
  let heapPeak = heapStart
  const sampler = setInterval(() => {
    const m = process.memoryUsage()
    rssPeak = Math.max(rssPeak, mb(m.rss))
    heapPeak = Math.max(heapPeak, m.heapUsed)
  }, 20)
  const started = process.hrtime.bigint()
  const res = await fetch(url, { headers })
  let bytes = 0
  let newlines = 0
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length
    for (const b of chunk) if (b === 10) newlines++
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  clearInterval(sampler)
  return { rows: newlines - 1, bytes, ms, rssStart, rssPeak, heapGrowth: mb(heapPeak - heapStart) }
}
