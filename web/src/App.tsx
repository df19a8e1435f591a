import { useEffect, useState } from 'preact/hooks'
import { api, forgetKey, ok, signIn, storedKey, whenSignedOut, type Me, type Problem } from './api.js'
import { asProblem, Await, Loading, ProblemBox, useLoad } from './common.js'
import { navigate, usePlace } from './router.js'
import { Search } from './views/Search.js'
import { UnitPage } from './views/UnitPage.js'

export function App () {
  const [me, setMe] = useState<Me | null>(null)
  const [checking, setChecking] = useState(storedKey() !== null)
  const [reason, setReason] = useState<Problem | null>(null)

  useEffect(() => {
    whenSignedOut((problem) => { setMe(null); setReason(problem) })
    if (storedKey() === null) return
    ok(api().GET('/v1/me')).then(setMe, (err: unknown) => { setReason(asProblem(err)) }).finally(() => setChecking(false))
  }, [])

  if (checking) return <main><Loading /></main>
  if (!me) return <SignIn reason={reason} onSignedIn={(m) => { setReason(null); setMe(m) }} />
  return <Shell me={me} onSignOut={() => { forgetKey(); setMe(null); setReason(null) }} />
}

function SignIn ({ reason, onSignedIn }: { reason: Problem | null, onSignedIn: (me: Me) => void }) {
  const [problem, setProblem] = useState<Problem | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event) => {
    e.preventDefault()
    const form = e.target as HTMLFormElement
    const key = new FormData(form).get('key')?.toString().trim() ?? ''
    setBusy(true)
    try {
      const me = await signIn(key)
      form.reset()
      onSignedIn(me)
    } catch (err) {
      setProblem(asProblem(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <main class='sign-in'>
      <h1>Sangathan coverage</h1>
      {reason && !problem && <ProblemBox problem={reason} />}
      {problem && <ProblemBox problem={problem} />}
      <form onSubmit={submit}>
        <label for='key'>API key</label>
        <input id='key' name='key' type='password' autoComplete='off' spellcheck={false} required placeholder='sg_…' />
        <p class='hint'>Paste your key (an admin's is in data/admin-key.txt). It is kept in this tab only, until you sign out or close it.</p>
        <button type='submit' class='primary' disabled={busy}>Sign in</button>
      </form>
    </main>
  )
}

function Shell ({ me, onSignOut }: { me: Me, onSignOut: () => void }) {
  const place = usePlace()
  const match = /^\/units\/([0-9a-f-]{36})(?:\/([a-z-]+))?\/?$/.exec(place.path)
  return (
    <>
      <a class='skip' href='#content'>Skip to content</a>
      <header class='top'>
        <a href='/' class='brand'>Sangathan</a>
        <form
          role='search' class='quick-search' onSubmit={(e) => {
            e.preventDefault()
            const q = new FormData(e.target as HTMLFormElement).get('q')?.toString().trim() ?? ''
            if (q) navigate(`/search?q=${encodeURIComponent(q)}`)
          }}
        >
          <input name='q' type='search' aria-label='Search units and people' placeholder='Search units, people' />
        </form>
        <p class='who' data-testid='who'>
          <span class='role'>{me.role}</span> · <span class='scope'>{me.scopeUnit ? me.scopeUnit.codePath : 'all states'}</span>
          {me.maskPersonalData && <span class='masked'> · personal data masked</span>}
        </p>
        <button type='button' onClick={onSignOut}>Sign out</button>
      </header>
      <main id='content' tabIndex={-1}>
        {match
          ? <UnitPage id={match[1]} section={match[2] ?? ''} place={place} />
          : place.path === '/search'
            ? <Search place={place} />
            : <Home me={me} />}
      </main>
    </>
  )
}

/** The key's own unit; for a global key, the states (straight into the only one). */
function Home ({ me }: { me: Me }) {
  const states = useLoad(async () => me.scopeUnit ? null : ok(api().GET('/v1/units', { params: { query: { level: 'state', limit: 100 } } })), [me.keyId])
  useEffect(() => {
    if (me.scopeUnit) navigate(`/units/${me.scopeUnit.id}`, { replace: true })
    else if (states.data && states.data.items.length === 1) navigate(`/units/${states.data.items[0].id}`, { replace: true })
  }, [me, states.data])
  return (
    <Await loaded={states}>{(page) => page === null || page.items.length === 1
      ? <Loading />
      : (
        <section>
          <h1>States</h1>
          {page.items.length === 0 ? <p>No state yet.</p> : <ul>{page.items.map(s => <li key={s.id}><a href={`/units/${s.id}`}>{s.name}</a> <small class='code'>{s.code}</small></li>)}</ul>}
        </section>
        )}
    </Await>
  )
}
