import { useEffect, useState } from 'preact/hooks'

/** Where the app is: the URL's path and query, which a colleague with a key can open. */
export interface Place { path: string, query: URLSearchParams }

const here = (): Place => ({ path: window.location.pathname, query: new URLSearchParams(window.location.search) })
const listeners = new Set<() => void>()

export function navigate (to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) window.history.replaceState(null, '', to)
  else window.history.pushState(null, '', to)
  window.scrollTo(0, 0)
  for (const l of listeners) l()
}

/** The same place with some query values changed (null removes one). */
export function withQuery (place: Place, changes: Record<string, string | number | null>): string {
  const q = new URLSearchParams(place.query)
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === '') q.delete(k)
    else q.set(k, String(v))
  }
  const s = q.toString()
  return place.path + (s ? `?${s}` : '')
}

export function usePlace (): Place {
  const [place, setPlace] = useState(here)
  useEffect(() => {
    const update = () => setPlace(here())
    listeners.add(update)
    window.addEventListener('popstate', update)
    return () => { listeners.delete(update); window.removeEventListener('popstate', update) }
  }, [])
  return place
}

/** Plain same-origin links are handled here, without reloading the page (and the key stays). */
export function interceptLinks (): void {
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    const a = (event.target as Element | null)?.closest?.('a')
    if (!a || a.target || a.hasAttribute('download')) return
    const url = new URL(a.href, window.location.href)
    if (url.origin !== window.location.origin || url.pathname.startsWith('/v1') || url.pathname.startsWith('/docs')) return
    event.preventDefault()
    navigate(url.pathname + url.search)
  })
}
