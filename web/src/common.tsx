import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { api, ok, Problem, type Unit } from './api.js'

export interface Loaded<T> { data?: T, error?: Problem, loading: boolean }

/**
 * Runs an API call when its inputs change; a refusal becomes a problem to show. An answer
 * is only ever shown for the inputs it was asked with: while another unit, page or K
 * loads, the last answer is not shown under the new heading.
 */
export function useLoad<T> (load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const key = JSON.stringify(deps)
  const [state, setState] = useState<Loaded<T> & { key?: string }>({ loading: true })
  useEffect(() => {
    let live = true
    setState({ loading: true, key })
    load().then(
      data => { if (live) setState({ data, loading: false, key }) },
      (err: unknown) => { if (live) setState({ error: asProblem(err), loading: false, key }) }
    )
    return () => { live = false }
  }, [key])
  return state.key === key ? state : { loading: true }
}

export function asProblem (err: unknown): Problem {
  if (err instanceof Problem) return err
  return new Problem(0, 'Could not reach the service', err instanceof Error ? err.message : String(err))
}

/** A refusal, as the API phrased it. */
export function ProblemBox ({ problem }: { problem: Problem }) {
  return (
    <div class='problem' role='alert'>
      <strong>{problem.title}</strong>
      <p>{problem.detail}</p>
    </div>
  )
}

export function Loading () {
  return <p class='loading' aria-live='polite'>Loading…</p>
}

/** Shows a load's problem or a spinner until its data is there. */
export function Await<T> ({ loaded, children }: { loaded: Loaded<T>, children: (data: T) => ComponentChildren }) {
  if (loaded.error) return <ProblemBox problem={loaded.error} />
  if (loaded.data === undefined) return <Loading />
  return <>{children(loaded.data)}</>
}

export const percent = (part: number, whole: number): number => whole > 0 ? part / whole : 0
export const formatPercent = (ratio: number): string => `${Math.round(ratio * 1000) / 10}%`

/** A bar with its figure in words beside it (the bar itself is decoration). */
export function Bar ({ part, whole }: { part: number, whole: number }) {
  const ratio = percent(part, whole)
  const tone = ratio < 0.5 ? 'low' : ratio < 0.8 ? 'mid' : 'high'
  return (
    <span class='bar-cell'>
      <span class={`bar ${tone}`} aria-hidden='true'><span style={{ width: `${Math.round(ratio * 100)}%` }} /></span>
      <span class='figure'>{formatPercent(ratio)} <small>{part}/{whole}</small></span>
    </span>
  )
}

export function unitLabel (u: { name: string, localName?: string | null }): string {
  return u.localName ? `${u.name} · ${u.localName}` : u.name
}

/** Breadcrumb from the top of the key's scope down to the unit. */
export function Breadcrumb ({ unit }: { unit: Unit }) {
  const ancestors = useLoad(() => ok(api().GET('/v1/units/{id}/ancestors', { params: { path: { id: unit.id }, query: { includeSelf: 'false' } } })), [unit.id])
  const items = ancestors.data?.items ?? []
  return (
    <nav aria-label='Breadcrumb' class='breadcrumb'>
      <ol>
        <li><a href='/'>Home</a></li>
        {items.map(a => <li key={a.id}><a href={`/units/${a.id}`}>{a.name}</a></li>)}
        <li aria-current='page'>{unit.name}</li>
      </ol>
    </nav>
  )
}

export function Pager ({ hasPrevious, next, onFirst, onNext }: { hasPrevious: boolean, next: string | null | undefined, onFirst: () => void, onNext: (cursor: string) => void }) {
  return (
    <div class='pager'>
      <button type='button' disabled={!hasPrevious} onClick={onFirst}>First page</button>
      <button type='button' disabled={!next} onClick={() => next && onNext(next)}>Next page</button>
    </div>
  )
}
