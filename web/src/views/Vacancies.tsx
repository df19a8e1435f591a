import { api, ok, type Unit } from '../api.js'
import { Await, useLoad } from '../common.js'

/** Every required post left empty below the unit, by level and role. */
export function Vacancies ({ unit, wing }: { unit: Unit, wing: string }) {
  const loaded = useLoad(() => ok(api().GET('/v1/units/{id}/vacancies', { params: { path: { id: unit.id }, query: { wing, perGroup: 10 } } })), [unit.id, wing])
  const wingQuery = wing === 'main' ? '' : `&wing=${wing}`
  return (
    <section aria-labelledby='vacancies-title'>
      <h2 id='vacancies-title'>Vacancies</h2>
      <Await loaded={loaded}>{(report) => report.items.length === 0
        ? <p>No required post is vacant here.</p>
        : (
          <div class='groups'>
            {report.items.map(g => (
              <article key={`${g.level}/${g.role}`} class='group'>
                <h3>{g.roleName} of a {g.level}: <span class='count'>{g.vacant} vacant</span></h3>
                <ul>
                  {g.units.map(u => <li key={u.id}><a href={`/units/${u.id}`}>{u.name}</a> <small class='code'>{u.codePath}</small></li>)}
                </ul>
                {g.vacant > g.units.length && <a href={`/units/${unit.id}/gaps?role=${g.role}&level=${g.level}${wingQuery}`}>All {g.vacant} in Gaps</a>}
              </article>
            ))}
          </div>
          )}
      </Await>
    </section>
  )
}
