import { api, ok, type Unit } from '../api.js'
import { Await, Breadcrumb, useLoad } from '../common.js'
import { navigate, withQuery, type Place } from '../router.js'
import { Coverage } from './Coverage.js'
import { Gaps } from './Gaps.js'
import { OfficeBearers } from './OfficeBearers.js'
import { Trend } from './Trend.js'
import { Vacancies } from './Vacancies.js'
import { WithoutHandles } from './WithoutHandles.js'

const SECTIONS = [
  { path: '', label: 'Coverage' },
  { path: 'gaps', label: 'Gaps' },
  { path: 'vacancies', label: 'Vacancies' },
  { path: 'without-handles', label: 'Without handles' },
  { path: 'trend', label: 'Trend' },
  { path: 'office-bearers', label: 'Office-bearers' }
] as const

/** One unit: where it sits, and its coverage, gaps, vacancies, handles, trend and office-bearers. */
export function UnitPage ({ id, section, place }: { id: string, section: string, place: Place }) {
  const unit = useLoad(() => ok(api().GET('/v1/units/{id}', { params: { path: { id } } })), [id])
  const wings = useLoad(() => ok(api().GET('/v1/wings')), [])
  const wing = place.query.get('wing') ?? 'main'
  const wingQuery = wing === 'main' ? '' : `?wing=${wing}`
  return (
    <Await loaded={unit}>{(u: Unit) => {
      const isBooth = u.level === 'booth'
      const sections = SECTIONS.filter(s => !isBooth || s.path === 'office-bearers' || s.path === '')
      const current = isBooth && section === '' ? 'office-bearers' : section
      return (
        <>
          <Breadcrumb unit={u} />
          <header class='unit-header'>
            <h1>{u.name}{u.localName && <span lang='hi' class='local'> · {u.localName}</span>}</h1>
            <p class='meta'>
              <span class='level'>{u.displayLabel ?? u.level}</span> <span class='code'>{u.codePath}</span>
              {u.acNumber !== null && <span> · AC {u.acNumber}{u.acName ? ` ${u.acName}` : ''}, PS {u.psNumber}</span>}
            </p>
            {wings.data && (
              <label class='inline'>Wing
                <select value={wing} onChange={(e) => navigate(withQuery(place, { wing: (e.target as HTMLSelectElement).value === 'main' ? null : (e.target as HTMLSelectElement).value, cursor: null }), { replace: true })}>
                  {wings.data.items.map(w => <option key={w.code} value={w.code}>{w.name}</option>)}
                </select>
              </label>
            )}
          </header>
          {!isBooth && (
            <nav class='tabs' aria-label='Views of this unit'>
              {sections.map(s => (
                <a key={s.path} href={`/units/${u.id}${s.path ? `/${s.path}` : ''}${wingQuery}`} aria-current={s.path === current ? 'page' : undefined}>{s.label}</a>
              ))}
            </nav>
          )}
          {current === '' && <Coverage unit={u} place={place} wing={wing} />}
          {current === 'gaps' && <Gaps unit={u} place={place} wing={wing} />}
          {current === 'vacancies' && <Vacancies unit={u} wing={wing} />}
          {current === 'without-handles' && <WithoutHandles unit={u} place={place} wing={wing} />}
          {current === 'trend' && <Trend unit={u} wing={wing} />}
          {current === 'office-bearers' && <OfficeBearers unit={u} wing={wing} />}
        </>
      )
    }}
    </Await>
  )
}
