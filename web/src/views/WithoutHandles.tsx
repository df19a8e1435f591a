import { api, ok, type Unit } from '../api.js'
import { Await, Pager, useLoad } from '../common.js'
import { navigate, withQuery, type Place } from '../router.js'

/** Office-bearers who run no social media account for the party yet. */
export function WithoutHandles ({ unit, place, wing }: { unit: Unit, place: Place, wing: string }) {
  const cursor = place.query.get('cursor') ?? undefined
  const loaded = useLoad(() => ok(api().GET('/v1/units/{id}/office-bearers/without-handles', { params: { path: { id: unit.id }, query: { wing, cursor, limit: 50 } } })), [unit.id, wing, cursor])
  return (
    <section aria-labelledby='handles-title'>
      <h2 id='handles-title'>Office-bearers without a social media handle</h2>
      <Await loaded={loaded}>{(page) => (
        <>
          {page.items.length === 0
            ? <p>Every office-bearer here has a handle.</p>
            : (
              <div class='table-wrap'>
                <table>
                  <thead><tr><th scope='col'>Name</th><th scope='col'>Role</th><th scope='col'>Unit</th><th scope='col'>Phone</th></tr></thead>
                  <tbody>
                    {page.items.map(o => (
                      <tr key={o.id}>
                        <td>{o.person.name}</td>
                        <td>{o.role}</td>
                        <td><a href={`/units/${o.unitId}`} class='code'>{o.unitCodePath}</a></td>
                        <td>{o.person.phone ?? '–'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              )}
          <Pager
            hasPrevious={cursor !== undefined} next={page.nextCursor}
            onFirst={() => navigate(withQuery(place, { cursor: null }))}
            onNext={(c) => navigate(withQuery(place, { cursor: c }))}
          />
        </>
      )}
      </Await>
    </section>
  )
}
