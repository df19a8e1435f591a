import { useState } from 'preact/hooks'
import { api, ok, problemOf, saveFile, type Unit } from '../api.js'
import { asProblem, Await, Pager, ProblemBox, useLoad } from '../common.js'
import { navigate, withQuery, type Place } from '../router.js'
import type { Problem } from '../api.js'

const LEVELS = ['district', 'block', 'ward', 'booth'] as const
type Level = typeof LEVELS[number]

/** Units without a holder of a role, a page at a time, and the whole list as a CSV file. */
export function Gaps ({ unit, place, wing }: { unit: Unit, place: Place, wing: string }) {
  const role = place.query.get('role') ?? 'president'
  const level = (place.query.get('level') ?? 'booth') as Level
  const cursor = place.query.get('cursor') ?? undefined
  const roles = useLoad(() => ok(api().GET('/v1/roles', { params: { query: { wing } } })), [wing])
  const page = useLoad(() => ok(api().GET('/v1/units/{id}/gaps', { params: { path: { id: unit.id }, query: { wing, role, level, cursor, limit: 50 } } })), [unit.id, wing, role, level, cursor])
  const [download, setDownload] = useState<{ busy: boolean, file?: string, problem?: Problem }>({ busy: false })

  const downloadCsv = async () => {
    setDownload({ busy: true })
    try {
      // The key goes in the Authorization header of this request; the file is saved from
      // the response, so no key or token ever appears in a URL.
      const { data, error, response } = await api().GET('/v1/units/{id}/gaps', {
        params: { path: { id: unit.id }, query: { wing, role, level } },
        headers: { accept: 'text/csv' },
        parseAs: 'blob'
      })
      if (!response.ok || error !== undefined || !data) throw problemOf(error, response)
      setDownload({ busy: false, file: saveFile(data as Blob, response, `gaps-${role}.csv`) })
    } catch (err) {
      setDownload({ busy: false, problem: asProblem(err) })
    }
  }

  const levelRoles = (roles.data?.items ?? []).filter(r => (r.levels as string[]).includes(level))
  return (
    <section aria-labelledby='gaps-title'>
      <h2 id='gaps-title'>Gaps</h2>
      <form class='filters' onSubmit={(e) => e.preventDefault()}>
        <label>Level
          <select value={level} onChange={(e) => navigate(withQuery(place, { level: (e.target as HTMLSelectElement).value, cursor: null }), { replace: true })}>
            {LEVELS.filter(l => levelIndex(l) > levelIndex(unit.level as Level)).map(l => <option key={l} value={l}>{l}</option>)}
          </select>
        </label>
        <label>Role
          <select value={role} onChange={(e) => navigate(withQuery(place, { role: (e.target as HTMLSelectElement).value, cursor: null }), { replace: true })}>
            {(levelRoles.length ? levelRoles : [{ code: role, name: role }]).map(r => <option key={r.code} value={r.code}>{r.name}</option>)}
          </select>
        </label>
        <button type='button' class='primary' onClick={downloadCsv} disabled={download.busy}>{download.busy ? 'Downloading…' : 'Download CSV'}</button>
      </form>
      {download.file && <p class='note' role='status'>Saved {download.file}.</p>}
      {download.problem && <ProblemBox problem={download.problem} />}
      <Await loaded={page}>{(p) => (
        <>
          {p.items.length === 0
            ? <p>No gaps: every {level} here has its {role}.</p>
            : (
              <div class='table-wrap'>
                <table class='gaps'>
                  <thead><tr><th scope='col'>Unit</th><th scope='col'>Code path</th><th scope='col'>AC / PS</th><th scope='col'>Holders / seats</th></tr></thead>
                  <tbody>
                    {p.items.map(g => (
                      <tr key={g.id}>
                        <td><a href={`/units/${g.id}`}>{g.name}</a></td>
                        <td class='code'>{g.codePath}</td>
                        <td>{g.acNumber !== null ? `${g.acNumber} / ${g.psNumber ?? ''}` : '–'}</td>
                        <td class='num'>{g.holders} / {g.seats}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              )}
          <Pager
            hasPrevious={cursor !== undefined} next={p.nextCursor}
            onFirst={() => navigate(withQuery(place, { cursor: null }))}
            onNext={(c) => navigate(withQuery(place, { cursor: c }))}
          />
        </>
      )}
      </Await>
    </section>
  )
}

function levelIndex (level: string): number {
  return ['state', ...LEVELS].indexOf(level as Level)
}
