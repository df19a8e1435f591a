import { sql } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import type { Database } from './client.js'
import { isRetryableConflict } from './errors.js'

/**
 * How long a piece of work may wait for a lock and run one statement. Interactive requests
 * get short limits, so that a write waiting behind a bulk import's table lock is refused
 * with a 503 and Retry-After instead of hanging; bulk work (imports, the seed) long ones.
 */
export interface WorkLimits {
  lockTimeoutMs: number
  statementTimeoutMs: number
}

export interface LimitsByKind {
  interactive: WorkLimits
  bulk: WorkLimits
}

export const DEFAULT_LIMITS: LimitsByKind = {
  interactive: { lockTimeoutMs: 5_000, statementTimeoutMs: 30_000 },
  bulk: { lockTimeoutMs: 60_000, statementTimeoutMs: 30 * 60_000 }
}

const LIMITS = Symbol('sangathan.limits')

/** Attaches the limits to a database handle (src/db/client.ts, at start-up). */
export function setLimits (db: Database, limits: LimitsByKind) {
  (db as unknown as Record<symbol, LimitsByKind>)[LIMITS] = limits
}

export function limitsOf (db: Database): LimitsByKind {
  return (db as unknown as Record<symbol, LimitsByKind | undefined>)[LIMITS] ?? DEFAULT_LIMITS
}

/**
 * The first statement of every write transaction: who is writing (the scope every trigger
 * checks each touched row against, src/db/routines/04_scope.sql) and how long it may wait.
 * All of it is LOCAL: it ends with the transaction, so a pooled connection carries nothing on.
 */
export async function beginWork (tx: Database, actor: Actor, limits: WorkLimits): Promise<void> {
  await tx.execute(sql`SELECT set_config('sangathan.scope_unit', ${actor.scopeUnitId ?? ''}, true),
                              set_config('lock_timeout', ${String(limits.lockTimeoutMs)}, true),
                              set_config('statement_timeout', ${String(limits.statementTimeoutMs)}, true)`)
}

/**
 * One write transaction on behalf of `actor`, retried a few times when PostgreSQL aborts it
 * as a deadlock or serialization victim: the caller sees either the whole change or a
 * clean refusal.
 */
export async function inTransaction<T> (db: Database, actor: Actor, fn: (tx: Database) => Promise<T>, attempts = 3): Promise<T> {
  const limits = limitsOf(db).interactive
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (tx) => {
        await beginWork(tx as unknown as Database, actor, limits)
        return fn(tx as unknown as Database)
      })
    } catch (err) {
      if (attempt >= attempts || !isRetryableConflict(err)) throw err
      await new Promise(resolve => setTimeout(resolve, 5 * attempt + Math.random() * 20))
    }
  }
}
