import type { FastifyReply, FastifyRequest } from 'fastify'

/** Strong ETags from a row's version counter, which a trigger bumps on every change. */
export function etagOf (version: number): string {
  return `"v${version}"`
}

export function setEtag (reply: FastifyReply, version: number) {
  reply.header('etag', etagOf(version))
}

/**
 * The version check If-Match asks for, as a predicate over the row's current version;
 * undefined when the header is absent (If-Match is optional here).
 */
export function ifMatch (request: FastifyRequest): ((version: number) => boolean) | undefined {
  const header = request.headers['if-match']
  if (header === undefined) return undefined
  const value = Array.isArray(header) ? header.join(',') : header
  if (value.trim() === '*') return () => true
  // If-Match uses the strong comparison: weak tags never match.
  const tags = value.split(',').map(t => t.trim()).filter(t => !t.startsWith('W/'))
  return (version) => tags.includes(etagOf(version))
}
