/**
 * Typed refusals from the domain. They carry a stable machine-readable `code` and a
 * kind; the HTTP layer alone decides which status a kind becomes.
 */
export type ErrorKind =
  | 'invalid' // the request is malformed
  | 'unauthenticated' // no valid key
  | 'forbidden' // the key's role or scope does not allow this
  | 'not_found' // the thing addressed does not exist (or is outside the caller's reach)
  | 'conflict' // refused because of the current state; may succeed later
  | 'unprocessable' // well-formed, but can never succeed as asked
  | 'precondition_failed' // If-Match did not match
  | 'gone' // what the request points to existed but is no longer kept (an expired cursor)
  | 'too_large' // the request is larger than accepted
  | 'too_many' // the caller is over a rate limit; retry after Retry-After
  | 'unavailable' // a dependency is down; retry later

export class DomainError extends Error {
  readonly kind: ErrorKind
  readonly code: string
  readonly extra: Record<string, unknown>

  constructor (kind: ErrorKind, code: string, message: string, extra: Record<string, unknown> = {}) {
    super(message)
    this.name = 'DomainError'
    this.kind = kind
    this.code = code
    this.extra = extra
  }
}

export const notFound = (entity: string, detail?: string) =>
  new DomainError('not_found', `${entity}_not_found`, detail ?? `No ${entity.replace(/_/g, ' ')} with that id.`)

export const preconditionFailed = () =>
  new DomainError('precondition_failed', 'etag_mismatch', 'The resource has changed since you read it (If-Match does not match its current ETag). Read it again and retry.')
