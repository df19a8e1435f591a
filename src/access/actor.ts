import type { KeyRole } from '../db/schema.js'

/**
 * Who is asking: the API key behind a request (or the system, for start-up tasks and
 * the command line). Domain functions take an Actor to filter by scope and to
 * attribute changes in the audit trail; they never see HTTP.
 */
export interface Actor {
  keyId: string | null
  role: KeyRole
  /** The unit whose subtree the key may see and change; null for a global key. */
  scopeUnitId: string | null
  maskPersonalData: boolean
  requestId: string | null
}

export const systemActor = (requestId: string | null = null): Actor => ({
  keyId: null, role: 'admin', scopeUnitId: null, maskPersonalData: false, requestId
})

/** What a role may do. Import endpoints are their own permission so a script's key cannot delete. */
export type Permission = 'read' | 'write' | 'import' | 'manage_keys' | 'manage_catalogue' | 'read_audit'

const GRANTS: Record<KeyRole, ReadonlySet<Permission>> = {
  reader: new Set(['read']),
  editor: new Set(['read', 'write']),
  importer: new Set(['read', 'import']),
  admin: new Set(['read', 'write', 'import', 'manage_keys', 'manage_catalogue', 'read_audit'])
}

export function can (actor: Actor, permission: Permission): boolean {
  if (permission === 'manage_catalogue' && actor.scopeUnitId !== null) return false
  return GRANTS[actor.role].has(permission)
}

/** Everything the actor may do, in a fixed order (for GET /v1/me). */
export function permissionsOf (actor: Actor): Permission[] {
  const all: Permission[] = ['read', 'write', 'import', 'manage_keys', 'manage_catalogue', 'read_audit']
  return all.filter(p => can(actor, p))
}

/** Roles ordered by power: a key may only mint keys whose grants are a subset of its own. */
export function roleWithin (minted: KeyRole, minter: KeyRole): boolean {
  return [...GRANTS[minted]].every(p => GRANTS[minter].has(p))
}
