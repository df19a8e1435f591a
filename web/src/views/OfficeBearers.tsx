import { api, ok, type Schemas, type Unit } from '../api.js'
import { Await, useLoad } from '../common.js'

type Term = Schemas['Appointment']

/** Who holds office at the unit now, and every term there before (a booth's history). */
export function OfficeBearers ({ unit, wing }: { unit: Unit, wing: string }) {
  const current = useLoad(() => ok(api().GET('/v1/units/{id}/office-bearers', { params: { path: { id: unit.id }, query: { wing, limit: 100 } } })), [unit.id, wing])
  const history = useLoad(async () => {
    const page = await ok(api().GET('/v1/appointments', { params: { query: { unitId: unit.id, wing, limit: 200 } } }))
    const ids = [...new Set(page.items.map(t => t.personId))].slice(0, 60)
    const people = await Promise.all(ids.map(id => ok(api().GET('/v1/people/{id}', { params: { path: { id } } })).then(p => [id, p.name] as const, () => [id, '(not visible)'] as const)))
    const names = new Map(people)
    const terms = [...page.items].sort((a: Term, b: Term) => b.startDate.localeCompare(a.startDate))
    return terms.map(t => ({ ...t, name: names.get(t.personId) ?? '' }))
  }, [unit.id, wing])

  return (
    <section aria-labelledby='bearers-title'>
      <h2 id='bearers-title'>Office-bearers at {unit.name}</h2>
      <Await loaded={current}>{(page) => page.items.length === 0
        ? <p>Nobody holds office here now.</p>
        : (
          <div class='table-wrap'>
            <table>
              <thead><tr><th scope='col'>Role</th><th scope='col'>Name</th><th scope='col'>Phone</th><th scope='col'>Social media</th><th scope='col'>Since</th></tr></thead>
              <tbody>
                {page.items.map(o => (
                  <tr key={o.id}>
                    <td>{o.role}</td>
                    <td>{o.person.name}</td>
                    <td>{o.person.phone ?? '–'}</td>
                    <td>{[o.person.twitter, o.person.facebook, o.person.instagram, o.person.youtube].filter(Boolean).join(', ') || '–'}</td>
                    <td>{o.startDate}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          )}
      </Await>
      <h3>History</h3>
      <Await loaded={history}>{(terms) => terms.length === 0
        ? <p>No terms of office recorded here.</p>
        : (
          <div class='table-wrap'>
            <table class='history'>
              <thead><tr><th scope='col'>Role</th><th scope='col'>Name</th><th scope='col'>From</th><th scope='col'>Until</th><th scope='col'>Why it ended</th></tr></thead>
              <tbody>
                {terms.map(t => (
                  <tr key={t.id}>
                    <td>{t.role}</td>
                    <td>{t.name}</td>
                    <td>{t.startDate}</td>
                    <td>{t.endDate ?? 'now'}</td>
                    <td>{t.endReason ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          )}
      </Await>
    </section>
  )
}
