import { sql } from 'drizzle-orm'
import type { FastifyBaseLogger } from 'fastify'
import { rows, type Database } from '../db/client.js'
import type { ChangeSignal } from './signal.js'

export interface SequencerOptions {
  /** How often committed changes are numbered (CHANGES_SEQUENCE_MS). */
  intervalMs: number
  /** How long numbered changes are kept (CHANGES_RETENTION_DAYS). */
  retentionDays: number
  /** How often old changes are deleted. */
  retentionEveryMs?: number
  /** Rows numbered per run; a full batch runs again at once. */
  batch?: number
  log?: FastifyBaseLogger
}

/** One run of the sequencer (sequence_changes() in src/db/routines/50_changes.sql). */
export async function sequenceChanges (db: Database, batch = 50_000): Promise<{ numbered: number, top: number | null }> {
  const [row] = await rows<{ numbered: number, top: number | null }>(db, sql`SELECT numbered, top FROM sequence_changes(${batch}::integer)`)
  return { numbered: Number(row.numbered), top: row.top === null ? null : Number(row.top) }
}

/** Deletes the changes numbered more than `days` ago and raises the cursor floor. */
export async function expireChanges (db: Database, days: number): Promise<number> {
  const [row] = await rows<{ deleted: number }>(db, sql`SELECT expire_changes(now() - make_interval(days => ${days}::integer)) AS deleted`)
  return Number(row.deleted)
}

/**
 * The in-process sequencer: numbers committed changes every `intervalMs`, and at once when
 * poked (after a write request commits), one run at a time; several processes may run
 * one each, as the database serialises their runs. Each run that numbers something wakes
 * this process's waiters. Stopped before the database closes; a run in flight is awaited.
 */
export class Sequencer {
  private timer: NodeJS.Timeout | undefined
  private retention: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private expiring: Promise<void> | undefined
  private again = false
  private stopped = true
  private lastErrorLogged = 0

  constructor (private readonly db: Database, private readonly signal: ChangeSignal, private readonly options: SequencerOptions) {}

  start () {
    if (!this.stopped) return
    this.stopped = false
    this.schedule()
    const every = this.options.retentionEveryMs ?? 60 * 60_000
    // Once at start (a server restarted more often than hourly must still expire) and hourly.
    this.expire()
    this.retention = setInterval(() => this.expire(), every).unref()
  }

  /** Numbers what has committed now, rather than at the next tick. */
  poke (): Promise<void> {
    if (this.stopped) return Promise.resolve()
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = (async () => {
      try {
        do {
          this.again = false
          const { numbered, top } = await sequenceChanges(this.db, this.options.batch)
          if (top !== null) this.signal.announce(top)
          if (numbered >= (this.options.batch ?? 50_000)) this.again = true
        } while (this.again && !this.stopped)
      } catch (err) {
        this.failed(err)
      } finally {
        this.running = undefined
      }
    })()
    return this.running
  }

  async stop () {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    if (this.retention) clearInterval(this.retention)
    this.timer = undefined
    this.retention = undefined
    await this.running
    await this.expiring
  }

  private expire () {
    if (this.stopped || this.expiring) return
    this.expiring = expireChanges(this.db, this.options.retentionDays)
      .then(deleted => { if (deleted > 0) this.options.log?.info({ deleted }, 'expired old changes from the feed') })
      .catch(err => this.failed(err))
      .finally(() => { this.expiring = undefined })
  }

  private schedule () {
    this.timer = setTimeout(() => {
      this.poke().finally(() => { if (!this.stopped) this.schedule() }).catch(() => {})
    }, this.options.intervalMs).unref()
  }

  private failed (err: unknown) {
    // The database down: every tick fails; say so once a minute, not ten times a second.
    const now = Date.now()
    if (now - this.lastErrorLogged < 60_000) return
    this.lastErrorLogged = now
    this.options.log?.warn({ err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'could not number the feed\'s changes; retrying')
  }
}
