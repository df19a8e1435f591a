import createClient, { type Client, type ClientOptions } from 'openapi-fetch'
import type { paths } from './schema.js'

export type { components, operations, paths } from './schema.js'

/**
 * Responses are typed by their JSON content, errors by their problem+json: a route that
 * can also answer CSV types `data` as its JSON page; ask for the CSV with `parseAs: 'text'`.
 */
type Json = 'application/json' | 'application/problem+json'
export type SangathanClient = Client<paths, Json>

export interface SangathanClientOptions extends Omit<ClientOptions, 'baseUrl' | 'headers'> {
  /** Where the service runs, without /v1: `http://localhost:3000` */
  baseUrl: string
  /** An API key's secret (`sg_…`), sent as `Authorization: Bearer` on every request */
  apiKey: string
}

/** A typed client for the Sangathan API: openapi-fetch over the generated ./schema.d.ts. */
export function createSangathanClient ({ baseUrl, apiKey, ...options }: SangathanClientOptions): SangathanClient {
  return createClient<paths, Json>({ ...options, baseUrl, headers: { authorization: `Bearer ${apiKey}` } })
}
