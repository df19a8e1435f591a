import { allChildren, api, byUnit, ok, type ComplianceRow, type CoverageRow, type Unit } from '../api.js'
import { Await, Bar, percent, unitLabel, useLoad } from '../common.js'
import { navigate, withQuery, type Place } from '../router.js'

interface Row {
  unit: CoverageRow
  bla: CoverageRow | undefined
  /** The social media duty (GET /v1/units/{id}/social-media): bound terms, and the compliant. */
  duty: ComplianceRow | undefined
}

type Column = 'name' | 'booths' | 'president' | 'committee' | 'bla' | 'handles' | 'duty'

const COLUMNS: Array<{ key: Column, label: string, value: (r: Row) => number | string }> = [
  { key: 'name', label: 'Unit', value: r => r.unit.name.toLowerCase() },
  { key: 'booths', label: 'Booths', value: r => r.unit.totalBooths },
  { key: 'president', label: 'Booth presidents', value: r => r.unit.coverage },
  { key: 'committee', label: 'Committee ≥ K', value: r => percent(r.unit.boothsWithCommittee, r.unit.totalBooths) },
  { key: 'bla', label: 'BLA', value: r => r.bla?.coverage ?? 0 },
  { key: 'handles', label: 'Office-bearers with a handle', value: r => percent(r.unit.officeBearersWithHandle, r.unit.officeBearers) },
  { key: 'duty', label: 'Presidents on every platform', value: r => r.duty?.share ?? 0 }
]

const ORDER_WORDS: Partial<Record<Column, [string, string]>> = { name: ['A to Z', 'Z to A'], booths: ['fewest first', 'most first'] }

function compare (column: Column, dir: 'asc' | 'desc') {
  const value = COLUMNS.find(c => c.key === column)!.value
  return (a: Row, b: Row) => {
    const x = value(a)
    const y = value(b)
    const order = x < y ? -1 : x > y ? 1 : a.unit.codePath.localeCompare(b.unit.codePath)
    return dir === 'asc' ? order : -order
  }
}

/** The children of a unit with their coverage: worst first unless the admin sorts otherwise. */
export function Coverage ({ unit, place, wing }: { unit: Unit, place: Place, wing: string }) {
  const k = Number(place.query.get('k') ?? 10)
  const sort = (place.query.get('sort') ?? 'president') as Column
  const dir = (place.query.get('dir') ?? 'asc') === 'desc' ? 'desc' : 'asc'
  const loaded = useLoad(async () => {
    const coverage = (role: string) => allChildren(page => ok(api().GET('/v1/units/{id}/coverage', { params: { path: { id: unit.id }, query: { wing, role, minCommittee: k, ...page } } })).then(byUnit))
    const duty = allChildren(page => ok(api().GET('/v1/units/{id}/social-media', { params: { path: { id: unit.id }, query: { wing, role: 'president', ...page } } }))).catch(() => undefined)
    const [president, bla, duties] = await Promise.all([coverage('president'), coverage('bla').catch(() => undefined), duty])
    const blaById = new Map((bla?.children ?? []).map(r => [r.unitId, r]))
    const dutyById = new Map((duties?.children ?? []).map(r => [r.unitId, r]))
    return {
      self: { unit: president.unit, bla: bla?.unit, duty: duties?.unit },
      rows: president.children.map(r => ({ unit: r, bla: blaById.get(r.unitId), duty: dutyById.get(r.unitId) }))
    }
  }, [unit.id, wing, k])

  const sortBy = (column: Column) => {
    // A new column starts ascending: worst first for the figures, A to Z for names.
    const next = column === sort ? (dir === 'asc' ? 'desc' : 'asc') : 'asc'
    navigate(withQuery(place, { sort: column === 'president' && next === 'asc' ? null : column, dir: next === 'asc' ? null : next }), { replace: true })
  }

  return (
    <Await loaded={loaded}>{({ self, rows }) => {
      const sorted = [...rows].sort(compare(sort, dir))
      return (
        <section aria-labelledby='coverage-title'>
          <div class='summary'>
            <h2 id='coverage-title'>Coverage</h2>
            <dl>
              <div><dt>Booths</dt><dd>{self.unit.totalBooths}</dd></div>
              <div><dt>Booth presidents</dt><dd><Bar part={self.unit.coveredBooths} whole={self.unit.totalBooths} /></dd></div>
              <div><dt>Committee ≥ {k}</dt><dd><Bar part={self.unit.boothsWithCommittee} whole={self.unit.totalBooths} /></dd></div>
              {self.bla && <div><dt>BLA</dt><dd><Bar part={self.bla.coveredBooths} whole={self.bla.totalBooths} /></dd></div>}
              {self.duty && self.duty.bound > 0 && <div><dt>Presidents on every platform</dt><dd><Bar part={self.duty.compliant} whole={self.duty.bound} /></dd></div>}
            </dl>
            <label class='inline'>
              Committee of at least K =
              <input
                type='number' min={0} max={32} value={k} class='narrow'
                onChange={(e) => navigate(withQuery(place, { k: Number((e.target as HTMLInputElement).value) === 10 ? null : (e.target as HTMLInputElement).value }), { replace: true })}
              />
            </label>
          </div>
          <label class='inline sort-select'>Sort by
            <select
              value={`${sort}:${dir}`}
              onChange={(e) => {
                const [column, order] = (e.target as HTMLSelectElement).value.split(':')
                navigate(withQuery(place, { sort: column === 'president' ? null : column, dir: order === 'asc' ? null : order }), { replace: true })
              }}
            >
              {COLUMNS.flatMap(c => [
                <option key={`${c.key}:asc`} value={`${c.key}:asc`}>{c.label}, {ORDER_WORDS[c.key]?.[0] ?? 'worst first'}</option>,
                <option key={`${c.key}:desc`} value={`${c.key}:desc`}>{c.label}, {ORDER_WORDS[c.key]?.[1] ?? 'best first'}</option>
              ])}
            </select>
          </label>
          {sorted.length === 0
            ? <p>No units below this one.</p>
            : (
              <div class='table-wrap'>
                <table class='coverage'>
                  <caption class='visually-hidden'>Children of {unit.name}, sorted by {COLUMNS.find(c => c.key === sort)?.label} {dir === 'asc' ? 'ascending' : 'descending'}</caption>
                  <thead>
                    <tr>
                      {COLUMNS.map(c => (
                        <th key={c.key} scope='col' aria-sort={c.key === sort ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
                          <button type='button' class='sort' onClick={() => sortBy(c.key)} data-column={c.key}>
                            {c.key === 'committee' ? `Committee ≥ ${k}` : c.label}
                            <span aria-hidden='true'>{c.key === sort ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                          </button>
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {sorted.map(r => (
                      <tr key={r.unit.unitId} data-code={r.unit.code}>
                        <th scope='row'>
                          <a href={`/units/${r.unit.unitId}${wing === 'main' ? '' : `?wing=${wing}`}`}>{unitLabel(r.unit as { name: string })}</a>
                          <small class='code'>{r.unit.code}</small>
                          <a class='row-gaps' href={`/units/${r.unit.unitId}/gaps${wing === 'main' ? '' : `?wing=${wing}`}`} aria-label={`Gaps in ${r.unit.name}`}>gaps</a>
                        </th>
                        <td class='num'>{r.unit.totalBooths}</td>
                        <td><Bar part={r.unit.coveredBooths} whole={r.unit.totalBooths} /></td>
                        <td><Bar part={r.unit.boothsWithCommittee} whole={r.unit.totalBooths} /></td>
                        <td>{r.bla ? <Bar part={r.bla.coveredBooths} whole={r.bla.totalBooths} /> : '–'}</td>
                        <td><Bar part={r.unit.officeBearersWithHandle} whole={r.unit.officeBearers} /></td>
                        <td>{r.duty && r.duty.bound > 0 ? <Bar part={r.duty.compliant} whole={r.duty.bound} /> : '–'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              )}
        </section>
      )
    }}
    </Await>
  )
}
