import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { FastifyBaseLogger } from 'fastify'
import { systemActor, type Actor } from '../access/actor.js'
import { recordAudit } from '../audit/record.js'
import { readChanges, type ChangeRow } from '../changes/queries.js'
import type { ChangeSignal } from '../changes/signal.js'
import { rows, type Database } from '../db/client.js'
import { inTransaction } from '../db/transaction.js'
import { DomainError } from '../errors.js'
import { changeMessage, messageIdOf, type Courier } from './delivery.js'
import type { Sent } from './outbound.js'
import { recordAttempt, typeFilter } from './queries.js'

export interface WorkerOptions {
  /** Endpoints served at once by this process. */
  concurrency: number
  leaseMs: number
  pollMs: number
  /** Changes read per endpoint per turn. */
  batch: number
  retryForMs: number
  backoffBaseMs: number
  backoffMaxMs: number
  /** Delivery attempts are kept this many days. */
  logDays: number
  log?: FastifyBaseLogger
}

interface Claimed {
  id: string
  url: string
  types: string[]
  unitId: string | null
  createdBy: string
  cursor: number
  attempts: number
  secret: string
  previousSecret: string | null
  previousValid: boolean
}

/**
 * Delivers the feed to webhooks, derived from the feed itself rather than from a job row
 * per change and endpoint: each webhook keeps a cursor (the last position delivered or
 * passed over). A worker claims due webhooks with a lease (FOR UPDATE SKIP LOCKED, so
 * several processes share them), sends what follows each cursor in feed order, and moves
 * the cursor only after a 2xx: at-least-once, in order per endpoint, and a restart or a
 * crash loses nothing (a dead process's lease runs out and another takes over).
 * Each endpoint is served on its own, at most `concurrency` at once: a slow receiver holds
 * one slot, never the API nor other receivers. New changes wake it (the feed's signal,
 * fed by NOTIFY); a poll catches retries falling due.
 * Not pg-boss nor graphile-worker: their current versions need Node 22, and a queue holds
 * a job row per message, where a cursor per endpoint needs none.
 */
export class WebhookWorker {
  readonly id = `${process.pid}:${randomUUID()}`
  private readonly serving = new Map<string, Promise<void>>()
  private readonly stopping = new AbortController()
  private loop: Promise<void> | undefined
  private wakeUp: (() => void) | undefined
  private woken = false
  /** When expired keys' webhooks were last marked paused (pause_webhooks_of_expired_keys). */
  private pausedExpiredAt = 0
  private lastErrorLogged = 0
  private pruner: NodeJS.Timeout | undefined
  private pruning: Promise<void> | undefined

  constructor (private readonly db: Database, private readonly signal: ChangeSignal, private readonly courier: Courier, private readonly options: WorkerOptions) {}

  start () {
    if (this.loop) return
    this.loop = this.run()
    // The attempts log would grow with every delivery: once at start and hourly, the old ones go.
    this.prune()
    this.pruner = setInterval(() => this.prune(), 3600_000).unref()
  }

  private prune () {
    if (this.pruning || this.stopping.signal.aborted) return
    this.pruning = this.db.execute(sql`DELETE FROM webhook_deliveries WHERE at < now() - make_interval(days => ${this.options.logDays})`)
      .then(() => {}, err => this.failed(err))
      .finally(() => { this.pruning = undefined })
  }

  /** Look for due webhooks now (one was resumed, a retry asked for). */
  wake () {
    if (this.wakeUp) this.wakeUp()
    else this.woken = true
  }

  /** Stops claiming, abandons the requests in flight and frees this process's leases. */
  async stop () {
    if (!this.loop) return
    this.stopping.abort()
    if (this.pruner) clearInterval(this.pruner)
    this.wake()
    await this.loop
    await this.pruning
    await Promise.allSettled(this.serving.values())
    await this.db.execute(sql`UPDATE webhooks SET locked_by = NULL, locked_until = NULL WHERE locked_by = ${this.id}`).catch(() => {})
  }

  private async run () {
    while (!this.stopping.signal.aborted) {
      const seen = this.signal.latest
      try {
        const free = this.options.concurrency - this.serving.size
        if (free > 0) {
          for (const claimed of await this.claim(free)) {
            const serving = this.serve(claimed).catch(err => this.failed(err)).finally(() => {
              this.serving.delete(claimed.id)
              this.wake()
            })
            this.serving.set(claimed.id, serving)
          }
        }
      } catch (err) {
        this.failed(err)
      }
      if (this.stopping.signal.aborted) break
      await this.idle(seen)
    }
  }

  /** Until a change beyond `seen` is announced, wake() is called, or the poll interval passes. */
  private async idle (seen: number) {
    if (this.woken) {
      this.woken = false
      return
    }
    const done = new AbortController()
    const woken = new Promise<void>(resolve => { this.wakeUp = resolve })
    try {
      await Promise.race([this.signal.wait(seen, this.options.pollMs, AbortSignal.any([done.signal, this.stopping.signal])), woken])
    } finally {
      done.abort()
      this.wakeUp = undefined
      this.woken = false
    }
  }

  private async claim (limit: number): Promise<Claimed[]> {
    // A webhook speaks with its creating key's authority: one whose key has expired is
    // never claimed (api_key_live below), and is marked paused, for its owner to see, once
    // a poll interval: not on every round, which a busy feed starts many times a second.
    if (Date.now() - this.pausedExpiredAt >= this.options.pollMs) {
      await this.db.execute(sql`SELECT pause_webhooks_of_expired_keys()`)
      this.pausedExpiredAt = Date.now()
    }
    const busy = [...this.serving.keys()]
    const claimed = await rows<Claimed>(this.db, sql`
      WITH head AS (SELECT coalesce(max(position), 0) AS position FROM changes),
      due AS (
        SELECT w.id FROM webhooks w, head
         WHERE w.status = 'active' AND w.next_attempt_at <= now() AND api_key_live(w.created_by)
           AND (w.locked_until IS NULL OR w.locked_until < now())
           AND w.cursor < head.position
           AND NOT (w.id = ANY (${sql.param(busy)}::uuid[]))
         ORDER BY w.next_attempt_at
         LIMIT ${limit}
         FOR UPDATE OF w SKIP LOCKED
      )
      UPDATE webhooks w SET locked_by = ${this.id}, locked_until = now() + make_interval(secs => ${this.options.leaseMs / 1000})
        FROM due WHERE w.id = due.id
      RETURNING w.id, w.url, w.types, w.unit_id AS "unitId", w.created_by AS "createdBy", w.cursor, w.attempts,
                w.secret, w.previous_secret AS "previousSecret", coalesce(w.previous_secret_until > now(), false) AS "previousValid"`)
    return claimed.map(c => ({ ...c, cursor: Number(c.cursor) }))
  }

  private async serve (w: Claimed) {
    try {
      // The webhook sees what its subtree's reader would: the feed's own scope rule.
      const actor: Actor = { keyId: w.createdBy, role: 'reader', scopeUnitId: w.unitId, maskPersonalData: false, requestId: null }
      let secrets: string[]
      try {
        secrets = this.courier.secretsOf(w.id, w)
      } catch {
        // Nothing can be signed: said in the log (never the key), retried as a failed attempt.
        this.options.log?.warn({ webhookId: w.id }, 'a webhook\'s signing secret cannot be decrypted: is WEBHOOK_KEY the one it was stored under?')
        await this.attemptFailed(w, undefined, { statusCode: null, durationMs: 0, ok: false, error: 'the signing secret cannot be decrypted' })
        return
      }
      let read
      try {
        read = await readChanges(this.db, actor, { after: w.cursor, ...typeFilter(w.types), limit: this.options.batch })
      } catch (err) {
        if (err instanceof DomainError && err.code === 'cursor_expired') return await this.disable(w.id, 'cursor_expired')
        throw err
      }
      for (const change of read.rows) {
        if (this.stopping.signal.aborted) return
        const { type, body } = changeMessage(change)
        const messageId = messageIdOf(w.id, change.position)
        const sent = await this.courier.send(w.url, secrets, messageId, body, this.stopping.signal)
        // Stopped mid-request: the receiver may have it or not; the next process sends it again.
        if (this.stopping.signal.aborted && !sent.ok) return
        await recordAttempt(this.db, { webhookId: w.id, messageId, kind: 'change', type, position: change.position, attempt: w.attempts + 1, ...sent })
        if (!sent.ok) return await this.attemptFailed(w, change, sent)
        if (!await this.advance(w, change.position)) return
        w.attempts = 0
      }
      // Nothing more it wants up to the head read: pass over the rest, so it is not read again.
      if (read.rows.length < this.options.batch) await this.advance(w, read.head)
    } finally {
      await this.db.execute(sql`UPDATE webhooks SET locked_by = NULL, locked_until = NULL WHERE id = ${w.id}::uuid AND locked_by = ${this.id}`).catch(() => {})
    }
  }

  /** The cursor moves on (and the lease is renewed); false when the lease was lost or the webhook paused. */
  private async advance (w: Claimed, position: number): Promise<boolean> {
    const moved = await rows<{ id: string }>(this.db, sql`UPDATE webhooks
      SET cursor = greatest(cursor, ${position}), attempts = 0, failing_since = NULL,
          locked_until = now() + make_interval(secs => ${this.options.leaseMs / 1000})
      WHERE id = ${w.id}::uuid AND locked_by = ${this.id} AND status = 'active' RETURNING id`)
    return moved.length === 1
  }

  /**
   * A failed attempt: retried with exponential backoff and jitter; a 410 Gone, or failing
   * for longer than retryForMs, disables the endpoint (its cursor stays: resuming it sends
   * the same change again, nothing skipped).
   */
  private async attemptFailed (w: Claimed, change: ChangeRow | undefined, sent: Sent) {
    if (sent.statusCode === 410) return this.disable(w.id, 'gone')
    const attempts = w.attempts + 1
    const delay = Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** Math.min(attempts - 1, 30))
    const jittered = Math.round(delay / 2 + Math.random() * delay / 2)
    const [row] = await rows<{ exhausted: boolean }>(this.db, sql`UPDATE webhooks
      SET attempts = ${attempts}, failing_since = coalesce(failing_since, now()),
          next_attempt_at = now() + make_interval(secs => ${jittered / 1000})
      WHERE id = ${w.id}::uuid AND locked_by = ${this.id}
      RETURNING failing_since + make_interval(secs => ${this.options.retryForMs / 1000}) <= now() AS exhausted`)
    if (row?.exhausted) await this.disable(w.id, 'retries_exhausted')
    else this.options.log?.debug({ webhookId: w.id, position: change?.position, attempts, retryInMs: jittered, error: sent.error, statusCode: sent.statusCode }, 'webhook delivery failed; will retry')
  }

  private async disable (id: string, reason: string) {
    await inTransaction(this.db, systemActor(), async (tx) => {
      const [row] = await rows<{ unitId: string | null }>(tx, sql`UPDATE webhooks SET status = 'disabled', status_reason = ${reason}
        WHERE id = ${id}::uuid AND status = 'active' RETURNING unit_id AS "unitId"`)
      if (row) await recordAudit(tx, systemActor(), { action: 'disable', entityType: 'webhook', entityId: id, unitId: row.unitId, after: { status: 'disabled', statusReason: reason } })
    })
    this.options.log?.warn({ webhookId: id, reason }, 'webhook disabled')
  }

  private failed (err: unknown) {
    if (this.stopping.signal.aborted) return
    const now = Date.now()
    if (now - this.lastErrorLogged < 60_000) return
    this.lastErrorLogged = now
    this.options.log?.warn({ err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'webhook worker could not do its round; retrying')
  }
}
