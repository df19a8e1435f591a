import { and, desc, eq, isNull, sql, type SQL } from 'drizzle-orm'
import { recordAudit } from '../audit/record.js'
import type { Database } from '../db/client.js'
import { inTransaction } from '../db/transaction.js'
import { apiKeys, units, type KeyRole } from '../db/schema.js'
import { DomainError, notFound } from '../errors.js'
import { can, roleWithin, systemActor, type Actor } from './actor.js'
import { withinScope } from './scope.js'
import { generateSecret, hashSecret, SECRET_PREFIX } from './secret.js'

export interface KeyRow {
  id: string
  label: string
  role: KeyRole
  scopeUnitId: string | null
  scopeCodePath: string | null
  prefix: string
  maskPersonalData: boolean
  createdBy: string | null
  createdAt: Date
  lastUsedAt: Date | null
  expiresAt: Date | null
  revokedAt: Date | null
}

const keyColumns = {
  id: apiKeys.id,
  label: apiKeys.label,
  role: apiKeys.role,
  scopeUnitId: apiKeys.scopeUnitId,
  scopeCodePath: units.codePath,
  prefix: apiKeys.prefix,
  maskPersonalData: apiKeys.maskPersonalData,
  createdBy: apiKeys.createdBy,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  expiresAt: apiKeys.expiresAt,
  revokedAt: apiKeys.revokedAt
}

/** Keys a key-manager may see: all for a global admin, those scoped inside its subtree otherwise. */
function visibleKeys (actor: Actor): SQL | undefined {
  const inScope = withinScope(actor, units.path)
  return inScope ? and(sql`${apiKeys.scopeUnitId} IS NOT NULL`, inScope) : undefined
}

function selectKeys (db: Database) {
  return db.select(keyColumns).from(apiKeys).leftJoin(units, eq(units.id, apiKeys.scopeUnitId))
}

export interface CreateKeyInput {
  role: KeyRole
  scopeUnitId?: string | null
  label: string
  expiresAt?: Date | null
  maskPersonalData?: boolean
}

export async function createKey (db: Database, actor: Actor, input: CreateKeyInput): Promise<{ key: KeyRow, secret: string }> {
  if (!can(actor, 'manage_keys')) throw new DomainError('forbidden', 'insufficient_role', 'Only admin keys manage keys.')
  if (!roleWithin(input.role, actor.role)) {
    throw new DomainError('forbidden', 'key_escalation', `A ${actor.role} key cannot mint a ${input.role} key.`)
  }
  const scopeUnitId = input.scopeUnitId ?? null
  if (actor.scopeUnitId !== null && scopeUnitId === null) {
    throw new DomainError('forbidden', 'key_escalation', 'A scoped key can only mint keys scoped inside its own subtree: give scopeUnitId.')
  }
  if (input.maskPersonalData && input.role !== 'reader') {
    throw new DomainError('unprocessable', 'masking_only_for_readers', 'maskPersonalData applies to reader keys only.')
  }
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
    throw new DomainError('unprocessable', 'expiry_in_past', 'expiresAt must be in the future.')
  }
  return inTransaction(db, actor, async (tx) => {
    if (scopeUnitId !== null) {
      const [scope] = await tx.select({ id: units.id }).from(units)
        .where(and(eq(units.id, scopeUnitId), withinScope(actor, units.path)))
      if (!scope) throw new DomainError('unprocessable', 'scope_unit_not_found', 'scopeUnitId names no unit within your scope.')
    }
    const secret = generateSecret()
    const [inserted] = await tx.insert(apiKeys).values({
      label: input.label,
      role: input.role,
      scopeUnitId,
      secretHash: hashSecret(secret),
      prefix: secret.slice(0, SECRET_PREFIX.length + 6),
      maskPersonalData: input.maskPersonalData ?? false,
      createdBy: actor.keyId,
      expiresAt: input.expiresAt ?? null
    }).returning({ id: apiKeys.id })
    const [key] = await selectKeys(tx).where(eq(apiKeys.id, inserted.id))
    await recordAudit(tx, actor, { action: 'create', entityType: 'api_key', entityId: key.id, unitId: scopeUnitId, after: publicKey(key) })
    return { key, secret }
  })
}

export async function findKey (db: Database, actor: Actor, id: string): Promise<KeyRow | undefined> {
  const [row] = await selectKeys(db).where(and(eq(apiKeys.id, id), visibleKeys(actor)))
  return row
}

/** The key a request came with, whatever its role: for GET /v1/me. */
export async function findOwnKey (db: Database, id: string): Promise<KeyRow | undefined> {
  const [row] = await selectKeys(db).where(eq(apiKeys.id, id))
  return row
}

export async function listKeys (db: Database, actor: Actor, f: { includeRevoked: boolean, before?: [string, string], limit: number }): Promise<KeyRow[]> {
  // Newest first; uuids are random, so the cursor is (created_at, id).
  const conditions: Array<SQL | undefined> = [visibleKeys(actor)]
  if (!f.includeRevoked) conditions.push(isNull(apiKeys.revokedAt))
  if (f.before) {
    const [at, id] = f.before
    conditions.push(sql`(${apiKeys.createdAt}, ${apiKeys.id}) < (${at}::timestamptz, ${id}::uuid)`)
  }
  return selectKeys(db).where(and(...conditions))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
    .limit(f.limit + 1)
}

export async function revokeKey (db: Database, actor: Actor, id: string): Promise<KeyRow> {
  if (!can(actor, 'manage_keys')) throw new DomainError('forbidden', 'insufficient_role', 'Only admin keys manage keys.')
  return inTransaction(db, actor, async (tx) => {
    const [key] = await selectKeys(tx).where(and(eq(apiKeys.id, id), visibleKeys(actor))).for('update', { of: apiKeys })
    if (!key) throw notFound('api_key')
    if (key.revokedAt) return key
    await tx.update(apiKeys).set({ revokedAt: new Date(), revokedBy: actor.keyId }).where(eq(apiKeys.id, id))
    const [after] = await selectKeys(tx).where(eq(apiKeys.id, id))
    await recordAudit(tx, actor, { action: 'revoke', entityType: 'api_key', entityId: id, unitId: key.scopeUnitId, before: publicKey(key), after: publicKey(after) })
    return after
  })
}

export function publicKey (k: KeyRow) {
  return {
    id: k.id,
    label: k.label,
    role: k.role,
    scopeUnitId: k.scopeUnitId,
    scopeCodePath: k.scopeCodePath,
    prefix: k.prefix,
    maskPersonalData: k.maskPersonalData,
    createdBy: k.createdBy,
    createdAt: new Date(k.createdAt).toISOString(),
    lastUsedAt: k.lastUsedAt ? new Date(k.lastUsedAt).toISOString() : null,
    expiresAt: k.expiresAt ? new Date(k.expiresAt).toISOString() : null,
    revokedAt: k.revokedAt ? new Date(k.revokedAt).toISOString() : null
  }
}

/** The facts needed to authenticate a request, read by secret hash. */
export interface KeyCredentials {
  id: string
  role: KeyRole
  scopeUnitId: string | null
  maskPersonalData: boolean
  expiresAt: Date | null
  revokedAt: Date | null
}

export async function findCredentials (db: Database, secretHash: string): Promise<KeyCredentials | undefined> {
  const [row] = await db.select({
    id: apiKeys.id,
    role: apiKeys.role,
    scopeUnitId: apiKeys.scopeUnitId,
    maskPersonalData: apiKeys.maskPersonalData,
    expiresAt: apiKeys.expiresAt,
    revokedAt: apiKeys.revokedAt
  }).from(apiKeys).where(eq(apiKeys.secretHash, secretHash))
  return row
}

export async function recordKeyUse (db: Database, id: string): Promise<void> {
  await db.update(apiKeys).set({ lastUsedAt: new Date() })
    .where(and(eq(apiKeys.id, id), sql`(${apiKeys.lastUsedAt} IS NULL OR ${apiKeys.lastUsedAt} < now() - interval '1 minute')`))
}

/**
 * Start-up: make sure an admin can get in. With a given secret, that secret is a live
 * global admin key; with none and no key at all, a new one is minted and returned.
 */
export async function ensureBootstrapKey (db: Database, givenSecret: string | undefined): Promise<{ minted?: string }> {
  const actor = systemActor()
  return inTransaction(db, actor, async (tx) => {
    // Several instances may start together: one at a time decides.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(7262023002)`)
    if (givenSecret) {
      const hash = hashSecret(givenSecret)
      const [existing] = await tx.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.secretHash, hash))
      if (existing) {
        await tx.update(apiKeys).set({ role: 'admin', scopeUnitId: null, revokedAt: null, expiresAt: null, maskPersonalData: false })
          .where(eq(apiKeys.id, existing.id))
        return {}
      }
      const [row] = await tx.insert(apiKeys).values({
        label: 'bootstrap admin (BOOTSTRAP_ADMIN_KEY)', role: 'admin', secretHash: hash, prefix: givenSecret.slice(0, 9)
      }).returning({ id: apiKeys.id })
      await recordAudit(tx, actor, { action: 'create', entityType: 'api_key', entityId: row.id, after: { role: 'admin', label: 'bootstrap admin (BOOTSTRAP_ADMIN_KEY)' } })
      return {}
    }
    const [any] = await tx.select({ id: apiKeys.id }).from(apiKeys).limit(1)
    if (any) return {}
    const secret = generateSecret()
    const [row] = await tx.insert(apiKeys).values({
      label: 'first admin (created at start-up)', role: 'admin', secretHash: hashSecret(secret), prefix: secret.slice(0, 9)
    }).returning({ id: apiKeys.id })
    await recordAudit(tx, actor, { action: 'create', entityType: 'api_key', entityId: row.id, after: { role: 'admin', label: 'first admin (created at start-up)' } })
    return { minted: secret }
  })
}
