import type { Middleware } from 'openapi-fetch'
import { createSangathanClient, type components, type SangathanClient } from '../../clients/typescript/index.js'

export type Schemas = components['schemas']
export type Unit = Schemas['Unit']
export type Me = Schemas['Me']
export type CoverageRow = Schemas['CoverageRow']
export type ComplianceRow = Schemas['ComplianceRow']

/** A refusal from the API, as its problem+json says it: shown as title and detail. */
export class Problem extends Error {
  constructor (readonly status: number, readonly title: string, readonly detail: string, readonly code?: string) {
    super(`${title}: ${detail}`)
  }
}

// The key lives in this tab's sessionStorage only: gone when the tab closes, never in a
// URL, never in localStorage (shared by every tab and kept for ever).
const KEY_ITEM = 'sangathan.key'
export const storedKey = (): string | null => sessionStorage.getItem(KEY_ITEM)
export const forgetKey = (): void => sessionStorage.removeItem(KEY_ITEM)

let client: SangathanClient | null = null
let clientKey: string | null = null
let onSignedOut: (reason: Problem) => void = () => {}

/** Called when the API says the key no longer works (revoked, expired, unknown). */
export function whenSignedOut (handler: (reason: Problem) => void): void { onSignedOut = handler }

export function problemOf (body: unknown, response: Response): Problem {
  const p = (body ?? {}) as { title?: string, detail?: string, code?: string }
  return new Problem(response.status, p.title ?? response.statusText ?? 'Error', p.detail ?? `The server answered ${response.status}.`, p.code)
}

const signOutOn401: Middleware = {
  async onResponse ({ response }) {
    if (response.status === 401 && storedKey() !== null) {
      const body = await response.clone().json().catch(() => ({}))
      forgetKey()
      client = null
      onSignedOut(problemOf(body, response))
    }
    return undefined
  }
}

function clientFor (key: string): SangathanClient {
  const c = createSangathanClient({ baseUrl: window.location.origin, apiKey: key })
  c.use(signOutOn401)
  return c
}

/** The typed client for the signed-in key. */
export function api (): SangathanClient {
  const key = storedKey()
  if (key === null) throw new Problem(401, 'Signed out', 'Sign in with an API key.')
  if (client === null || clientKey !== key) { client = clientFor(key); clientKey = key }
  return client
}

/** The data of an answer, or its problem thrown. */
export async function ok<T> (call: Promise<{ data?: T, error?: unknown, response: Response }>): Promise<T> {
  const { data, error, response } = await call
  if (!response.ok || error !== undefined) throw problemOf(error, response)
  return data as T
}

/** A coverage report by unit (asked without by=assembly, so never a report by constituency). */
export function byUnit<R extends { by: string }> (report: R): Extract<R, { by: 'unit' }> {
  if (report.by !== 'unit') throw new Problem(500, 'Unexpected report', `Coverage came by ${report.by}, not by unit.`)
  return report as Extract<R, { by: 'unit' }>
}

/**
 * A per-unit report (coverage, trend, social media) with every child, page after page of
 * the API's largest (500): a state can have more districts than one default page holds.
 */
export async function allChildren<R extends { children: unknown[], nextCursor: string | null }> (page: (query: { limit: number, cursor?: string }) => Promise<R>): Promise<R> {
  const first = await page({ limit: 500 })
  const children = [...first.children]
  for (let next = first.nextCursor; next !== null;) {
    const more = await page({ limit: 500, cursor: next })
    children.push(...more.children)
    next = more.nextCursor
  }
  return { ...first, children, nextCursor: null }
}

/** Tries a key with GET /v1/me; keeps it for this tab only if the API accepts it. */
export async function signIn (key: string): Promise<Me> {
  const { data, error, response } = await clientFor(key).GET('/v1/me')
  if (!response.ok || error !== undefined) throw problemOf(error, response)
  sessionStorage.setItem(KEY_ITEM, key)
  return data
}

/** Saves a response body as a file, under the name the server gave in Content-Disposition. */
export function saveFile (blob: Blob, response: Response, fallback: string): string {
  const disposition = response.headers.get('content-disposition') ?? ''
  const name = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1] ?? /filename="?([^";]+)"?/i.exec(disposition)?.[1]
  const file = name ? decodeURIComponent(name) : fallback
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = file
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
  return file
}
