import type { FastifyInstance } from 'fastify'
import { call } from './app.js'

async function post (app: FastifyInstance, url: string, payload: Record<string, unknown>, key?: string) {
  const res = await call(app, { method: 'POST', url, payload }, key)
  if (res.status !== 201) throw new Error(`POST ${url} ${JSON.stringify(payload)}: ${res.status} ${res.body}`)
  return res.json
}

export const createPerson = (app: FastifyInstance, payload: Record<string, unknown>, key?: string) => post(app, '/v1/people', payload, key)
export const enrol = (app: FastifyInstance, payload: Record<string, unknown>, key?: string) => post(app, '/v1/memberships', payload, key)
export const appoint = (app: FastifyInstance, payload: Record<string, unknown>, key?: string) => post(app, '/v1/appointments', payload, key)

/** A person who may hold office: an active member at their home booth. */
export async function activeMember (app: FastifyInstance, boothId: string, name: string, extra: Record<string, unknown> = {}) {
  const person = await createPerson(app, { name, homeBoothId: boothId, ...extra })
  const membership = await enrol(app, { personId: person.id, boothId, grade: 'active' })
  return { person, membership }
}
