import { api, ok } from '../api.js'
import { Await, useLoad } from '../common.js'
import { navigate, type Place } from '../router.js'

/** Units by code path, code, name or local name; people by name. Within the key's scope. */
export function Search ({ place }: { place: Place }) {
  const q = place.query.get('q') ?? ''
  const units = useLoad(async () => q ? ok(api().GET('/v1/units', { params: { query: { q, limit: 25 } } })) : { items: [], nextCursor: null }, [q])
  const people = useLoad(async () => q ? ok(api().GET('/v1/people', { params: { query: { q, limit: 25 } } })) : { items: [], nextCursor: null }, [q])
  return (
    <section aria-labelledby='search-title'>
      <h2 id='search-title'>Search</h2>
      <form
        role='search' class='filters' onSubmit={(e) => {
          e.preventDefault()
          const value = new FormData(e.target as HTMLFormElement).get('q')?.toString().trim() ?? ''
          navigate(`/search?q=${encodeURIComponent(value)}`)
        }}
      >
        <label>Unit code path, code, name or local name; a person's name
          <input name='q' type='search' value={q} autoComplete='off' />
        </label>
        <button type='submit' class='primary'>Search</button>
      </form>
      {q && (
        <div class='results'>
          <h3>Units</h3>
          <Await loaded={units}>{(page) => page.items.length === 0
            ? <p>No unit matches.</p>
            : <ul>{page.items.map(u => <li key={u.id}><a href={`/units/${u.id}`}>{u.name}{u.localName ? ` · ${u.localName}` : ''}</a> <small class='code'>{u.codePath}</small> <small>{u.level}</small></li>)}</ul>}
          </Await>
          <h3>People</h3>
          <Await loaded={people}>{(page) => page.items.length === 0
            ? <p>No person matches.</p>
            : <ul>{page.items.map(p => <li key={p.id}>{p.name} <small><a href={`/units/${p.homeBoothId}`}>home booth</a></small></li>)}</ul>}
          </Await>
        </div>
      )}
    </section>
  )
}
