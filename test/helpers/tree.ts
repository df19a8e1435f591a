import type { FastifyInstance } from 'fastify'
import { call } from './app.js'

export interface Unit { id: string, code: string, codePath: string, level: string, parentId: string | null }

export async function createUnit (app: FastifyInstance, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Unit> {
  const res = await call(app, { method: 'POST', url: '/v1/units', payload: body, headers }, headers.authorization ? null : undefined)
  if (res.status !== 201) throw new Error(`createUnit ${JSON.stringify(body)}: ${res.status} ${res.body}`)
  return res.json
}

/** state > district > block > ward > booth, one of each, codes prefixed to stay unique. */
export async function createChain (app: FastifyInstance, prefix: string, headers: Record<string, string> = {}) {
  const state = await createUnit(app, { level: 'state', code: `${prefix}S`, name: `${prefix} State` }, headers)
  const district = await createUnit(app, { level: 'district', parentId: state.id, code: 'D1', name: 'District One' }, headers)
  const block = await createUnit(app, { level: 'block', parentId: district.id, code: 'B1', name: 'Block One' }, headers)
  const ward = await createUnit(app, { level: 'ward', parentId: block.id, code: 'W1', name: 'Ward One' }, headers)
  const booth = await createUnit(app, { level: 'booth', parentId: ward.id, code: 'AC072-PS0145', name: 'Booth 145', acNumber: 72, psNumber: '145' }, headers)
  return { state, district, block, ward, booth }
}
