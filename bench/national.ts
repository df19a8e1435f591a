import { sql } from 'drizzle-orm'
import { systemActor } from '../src/access/actor.js'
import { rows, type Database } from '../src/db/client.js'
import { findUnitByCodePath } from '../src/units/queries.js'
import { clientThread } from './client-thread.js'
import { streamCsv } from './coverage.js'
import { fmt, percentile, table } from './stats.js'
import { benchApp } from './app.js'

/**
 * The country against one state (issue 18): every subtree question about a state, a
 * district and a ward asked of the `india` database (DATABASE_URL) and of the `up` one
 * (BENCH_UP_URL), side by side, through HTTP, alternating; a state's questions should not
 * slow down as other states are added (india / up within 1.5x). Then the country's own
 * questions on `india`: coverage by state and the first page of its gaps (p50 under
 * 20 ms each), and its gaps CSV streamed (rows per second, the server's memory).
 *
 *   DATABASE_URL=postgres://…/sangathan_india BENCH_UP_URL=postgres://…/sangathan_up npm run bench -- national
 *
 * The units are found by code path in each (both seeds make UP alike): UP, its median
 * district by booths on `up`, and that district's first ward. BENCH_REPEAT requests each
 * (default 30); the keys are each database's bootstrap admin, and a key scoped to the
 * district for the scoped lists.
 */
export async function benchNational () {
  const indiaUrl = process.env.DATABASE_URL
  const upUrl = process.env.BENCH_UP_URL
  if (!indiaUrl || !upUrl) throw new Error('set DATABASE_URL to the india seed and BENCH_UP_URL to the up seed (npm run seed -- --preset india|up)')
  const N = Number(process.env.BENCH_REPEAT ?? 30)
  const india = await benchApp({ listen: true, url: indiaUrl })
  const up = await benchApp({ listen: true, url: upUrl })
  const client = clientThread()
  try {
    const actor = systemActor()
    const [{ code: districtPath }] = await rows<{ code: string }>(up.app.db, sql`
      SELECT u.code_path AS code FROM units u JOIN unit_stats s ON s.unit_id = u.id
       WHERE u.parent_id = (SELECT id FROM units WHERE code_path = 'UP') ORDER BY s.total_booths, u.code_path
       OFFSET (SELECT count(*) / 2 FROM units WHERE parent_id = (SELECT id FROM units WHERE code_path = 'UP')) LIMIT 1`)
    const [{ code: wardPath }] = await rows<{ code: string }>(up.app.db, sql`
      SELECT code_path AS code FROM units WHERE level = 'ward' AND code_path > ${districtPath + '/'} AND code_path < ${districtPath + '0'} ORDER BY code_path LIMIT 1`)
    const idsOf = async (db: Database) => {
      const ids: Record<string, string> = {}
      for (const [name, path] of [['state', 'UP'], ['district', districtPath], ['ward', wardPath]]) {
        const unit = await findUnitByCodePath(db, actor, path)
        if (!unit) throw new Error(`no unit ${path}: load both databases with npm run seed (up and india)`)
        ids[name] = unit.id
      }
      return ids
    }
    const sides = [
      { name: 'up', ...up, ids: await idsOf(up.app.db), scoped: await scopedKey(up, await idsOf(up.app.db)) },
      { name: 'india', ...india, ids: await idsOf(india.app.db), scoped: await scopedKey(india, await idsOf(india.app.db)) }
    ]
    const [{ booths }] = await rows<{ booths: number }>(india.app.db, sql`SELECT count(*)::int AS booths FROM units WHERE level = 'booth'`)
    console.log(`india: ${booths.toLocaleString('en-IN')} booths; units asked: UP, ${districtPath}, ${wardPath}; ${N} requests each, alternating`)

    const questions: Array<[string, (id: string) => string]> = [
      ['coverage', id => `/v1/units/${id}/coverage`],
      ['gaps, first page', id => `/v1/units/${id}/gaps`],
      ['vacancies', id => `/v1/units/${id}/vacancies`],
      ['office-bearers, first page', id => `/v1/units/${id}/office-bearers?subtree=true`],
      ['people, first page', id => `/v1/people?unitId=${id}`],
      ['social media: non-compliant, first page', id => `/v1/units/${id}/social-media/non-compliant`],
      ['training', id => `/v1/units/${id}/training`],
      ['untrained, first page', id => `/v1/units/${id}/untrained`]
    ]
    const out: Array<Record<string, string>> = []
    const time = async (side: typeof sides[number], path: string, headers: Record<string, string>) => {
      const xs: number[] = []
      for (let i = 0; i < N; i++) xs.push(await client.get(side.base + path, headers))
      return percentile(xs, 50)
    }
    const row = async (what: string, pathOf: (side: typeof sides[number]) => string, headersOf: (side: typeof sides[number]) => Record<string, string>) => {
      for (const side of sides) await client.get(side.base + pathOf(side), headersOf(side)) // warm
      const [u, i] = [await time(sides[0], pathOf(sides[0]), headersOf(sides[0])), await time(sides[1], pathOf(sides[1]), headersOf(sides[1]))]
      out.push({ question: what, 'up p50': fmt(u), 'india p50': fmt(i), 'india / up': (i / u).toFixed(2) + 'x', target: '<= 1.5x' })
    }
    for (const level of ['state', 'district', 'ward']) {
      for (const [what, path] of questions) await row(`${level}: ${what}`, s => path(s.ids[level]), s => s.headers)
      await row(`${level}: gaps CSV (whole)`, s => `/v1/units/${s.ids[level]}/gaps?format=csv`, s => s.headers)
    }
    // A key scoped to the district: lists without a unit filter are its subtree.
    await row('district key: people, first page', () => '/v1/people', s => ({ authorization: `Bearer ${s.scoped}` }))
    await row('district key: audit trail, first page', () => '/v1/audit', s => ({ authorization: `Bearer ${s.scoped}` }))
    table(out)

    // The country, on india alone.
    const national = []
    for (const [what, path, target] of [['coverage of the country by state', '/v1/coverage', 'p50 < 20 ms'], ['gaps of the country, first page', '/v1/gaps', 'p50 < 20 ms']]) {
      await client.get(india.base + path, india.headers)
      const p50 = await time(sides[1], path, india.headers)
      national.push({ question: what, 'india p50': fmt(p50), target })
    }
    table(national)
    const csv = await streamCsv(india.app, `${india.base}/v1/gaps?format=csv`, india.headers)
    console.log(`\nthe country's president gaps as CSV: ${csv.rows.toLocaleString('en-IN')} rows, ${(csv.bytes / 1e6).toFixed(1)} MB in ${fmt(csv.ms)} ` +
      `(${Math.round(csv.rows / (csv.ms / 1000))} rows/s); RSS ${csv.rssStart} MB at start, peak ${csv.rssPeak} MB, heap peak +${csv.heapGrowth} MB (both servers in this process)`)
  } finally {
    await client.close()
    await india.app.close()
    await up.app.close()
  }
}

/** A key scoped to the district (an admin: it may read the audit trail), minted through the API. */
async function scopedKey (side: { base: string, headers: Record<string, string> }, ids: Record<string, string>): Promise<string> {
  const res = await fetch(`${side.base}/v1/api-keys`, {
    method: 'POST',
    headers: { ...side.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ label: 'bench national: district admin', role: 'admin', scopeUnitId: ids.district })
  })
  if (res.status !== 201) throw new Error(`minting a scoped key: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { key: string }).key
}
