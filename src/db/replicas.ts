import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import type { Database } from './client.js'
import { isDatabaseUnavailable, pgError } from './errors.js'
import { setLimits, type LimitsByKind } from './transaction.js'
import * as schema from './schema.js'

/**
 * Read replicas (PostgreSQL streaming standbys, DATABASE_REPLICA_URLS): report and list
 * reads go to one, so that a state's dashboards do not queue behind its writes. This module
 * knows which replicas may be read from; the database handle (client.ts) hands out a
 * replica's drizzle handle, or the primary's when none will do.
 *
 * A replica is used only while its last check found it a standby (pg_is_in_recovery()),
 * answering, and no more than maxLagMs behind. Lag is measured against the primary, not
 * with pg_last_xact_replay_timestamp(): that is the time of the last commit replayed, so on
 * an idle primary it grows for ever while the replica is fully caught up. Instead each
 * check notes the primary's WAL position (pg_current_wal_lsn()) and when it was there; a
 * replica that has replayed up to R is behind by the WAL beyond R, and by the time since
 * the first noted position beyond R (a replica at the primary's position is 0 ms behind,
 * however long ago the last commit was).
 */

export type ReplicaState = 'starting' | 'ok' | 'lagging' | 'down' | 'not_standby'

/** What /health/ready says of a replica: where it is (never the URL: it may carry a password), and how it is. */
export interface ReplicaStatus {
  host: string
  port: number
  state: ReplicaState
  /** WAL the replica has still to replay, as of the last check; null when it did not answer. */
  lagBytes: number | null
  lagMs: number | null
  checkedAt: string | null
}

export interface ReplicaOptions {
  urls: string[]
  /** A replica further behind than this is not read from until it catches up. */
  maxLagMs: number
  /** How often each replica is checked. */
  checkMs: number
  poolMax: number
  limits: LimitsByKind
  pgOptions: Partial<pg.PoolConfig>
  onPoolError?: (err: Error) => void
  /** A replica came into use or went out of it (logged by the plugin). */
  onStateChange?: (status: ReplicaStatus, reason?: string) => void
}

// A check gives up on a replica after this long: one that stops answering (a frozen host, a
// dropped network) is then taken out of use, as one that refuses connections is at once.
const PROBE_TIMEOUT_MS = 2_000
// A reader's connection attempt: short, as the primary is there to fall back on.
const CONNECT_TIMEOUT_MS = 1_000

/** A WAL position ('16/B374D848') as a number of bytes. */
export function parseLsn (text: string): bigint {
  const [hi, lo] = text.split('/')
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`)
}

/** Where a replica is, for logs and health: its host and port only. */
function whereIs (url: string): { host: string, port: number } {
  const parsed = new URL(url)
  return { host: parsed.hostname || 'localhost', port: Number(parsed.port || 5432) }
}

interface ReplicaHealth {
  usable (): boolean
  /** A query on the replica failed: out of use if it was the replica, not the query. */
  failed (err: unknown): void
}

/**
 * A replica's pool that never fails a read because the replica did: a query the replica
 * cannot answer (it is down, shutting down, unreachable, or cancelled the query to replay
 * WAL) runs again on the primary, and the replica is taken out of use until a check finds it
 * well. Reads are SELECTs, so running one again is safe. A pg.Pool still, so drizzle and
 * the unit read's prepared statement (src/units/queries.ts) treat it as the pool it is.
 */
class ReplicaPool extends pg.Pool {
  private readonly health: ReplicaHealth
  private readonly primary: pg.Pool

  constructor (config: pg.PoolConfig, health: ReplicaHealth, primary: pg.Pool) {
    super(config)
    this.health = health
    this.primary = primary
  }

  // Drizzle calls query(config, values) and awaits the promise; any other form (a
  // callback, a stream) is passed through untouched.
  override query (...args: unknown[]): any {
    const pass = super.query.bind(this) as (...a: unknown[]) => any
    if (typeof args[args.length - 1] === 'function' || typeof (args[0] as { submit?: unknown })?.submit === 'function') return pass(...args)
    const onPrimary = () => (this.primary.query as (...a: unknown[]) => Promise<unknown>).apply(this.primary, args)
    if (!this.health.usable()) return onPrimary()
    return (pass(...args) as Promise<unknown>).catch((err: unknown) => {
      if (!replicaFailure(err)) throw err
      this.health.failed(err)
      return onPrimary()
    })
  }

  override connect (...args: unknown[]): any {
    const pass = super.connect.bind(this) as (...a: unknown[]) => any
    if (args.length > 0) return pass(...args)
    if (!this.health.usable()) return this.primary.connect()
    return (pass() as Promise<pg.PoolClient>).catch((err: unknown) => {
      if (!replicaFailure(err)) throw err
      this.health.failed(err)
      return this.primary.connect()
    })
  }
}

/**
 * A failure of the replica rather than of the query: unreachable or shutting down, or a
 * query cancelled because it conflicted with WAL replay (40001, or 40P01 for a lock
 * conflict: the primary has no such conflict).
 */
function replicaFailure (err: unknown): boolean {
  if (isDatabaseUnavailable(err)) return true
  const code = pgError(err)?.code
  return code === '40001' || code === '40P01'
}

/** Closes a connection's socket outright: a frozen server would never answer end()'s goodbye. */
function cut (client: pg.Client) {
  (client as unknown as { connection?: { stream?: { destroy (): void } } }).connection?.stream?.destroy()
}

class Replica implements ReplicaHealth {
  readonly host: string
  readonly port: number
  readonly pool: ReplicaPool
  readonly db: Database
  state: ReplicaState = 'starting'
  /** The last replay position seen, for read-your-writes (Replicas.reader). */
  replayLsn = 0n
  lagBytes: number | null = null
  lagMs: number | null = null
  checkedAt: Date | null = null
  private probe: pg.Client | undefined
  private readonly clients = new Set<pg.Client>()
  private readonly url: string
  private readonly onChange: (replica: Replica, reason?: string) => void

  constructor (url: string, primary: pg.Pool, options: ReplicaOptions, onChange: (replica: Replica, reason?: string) => void) {
    this.url = url
    const { host, port } = whereIs(url)
    this.host = host
    this.port = port
    this.onChange = onChange
    this.pool = new ReplicaPool({
      ...options.pgOptions,
      connectionString: url,
      max: options.poolMax,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: 'sangathan-replica'
    }, this, primary)
    // An idle connection to a replica dying (the replica restarted) must not crash the process.
    this.pool.on('error', (err) => options.onPoolError?.(err))
    this.pool.on('connect', (client) => this.clients.add(client))
    this.pool.on('remove', (client) => this.clients.delete(client))
    this.db = drizzlePg(this.pool, { schema }) as unknown as Database
    setLimits(this.db, options.limits)
  }

  usable () { return this.state === 'ok' }

  failed (err: unknown) {
    if (!isDatabaseUnavailable(err)) return
    this.set('down', null, null, (err as Error).message)
  }

  set (state: ReplicaState, lagBytes: number | null, lagMs: number | null, reason?: string) {
    const before = this.state
    this.state = state
    this.lagBytes = lagBytes
    this.lagMs = lagMs
    this.checkedAt = new Date()
    if (before === state) return
    // A replica found down may be one that stopped answering (a frozen host, a cut network):
    // reads waiting on it would wait for TCP to give up. Their connections are closed, so
    // that they fail now and run again on the primary (ReplicaPool).
    if (state === 'down') for (const client of this.clients) cut(client)
    this.onChange(this, reason)
  }

  status (): ReplicaStatus {
    return { host: this.host, port: this.port, state: this.state, lagBytes: this.lagBytes, lagMs: this.lagMs, checkedAt: this.checkedAt?.toISOString() ?? null }
  }

  /** One check's question to the replica, on a connection of its own, in bounded time. */
  async ask (): Promise<{ standby: boolean, replay: string | null }> {
    let timer: NodeJS.Timeout | undefined
    try {
      if (!this.probe) {
        const probe = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: PROBE_TIMEOUT_MS, application_name: 'sangathan-replica-check' })
        probe.on('error', () => this.dropProbe())
        this.probe = probe
        await probe.connect()
      }
      const probe = this.probe
      const answer = probe.query<{ standby: boolean, replay: string | null }>('SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replay')
      const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error('no answer within the check timeout')), PROBE_TIMEOUT_MS) })
      return (await Promise.race([answer, timeout])).rows[0]
    } catch (err) {
      this.dropProbe()
      throw err
    } finally {
      clearTimeout(timer)
    }
  }

  dropProbe () {
    const probe = this.probe
    this.probe = undefined
    if (!probe) return
    cut(probe)
    probe.end().catch(() => {})
  }

  async close () {
    this.dropProbe()
    if (!this.pool.ended) await this.pool.end()
  }
}

export class Replicas {
  private readonly replicas: Replica[]
  private readonly primary: pg.Pool
  private readonly options: ReplicaOptions
  /** The primary's WAL position at each recent check, oldest first. */
  private readonly history: Array<{ lsn: bigint, at: number }> = []
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private closed = false
  private next = 0

  constructor (primary: pg.Pool, options: ReplicaOptions) {
    this.primary = primary
    this.options = options
    this.replicas = options.urls.map(url => new Replica(url, primary, options, (r, reason) => options.onStateChange?.(r.status(), reason)))
  }

  /** The first check, awaited so the replicas are in use as soon as the app is, then one every checkMs. */
  async start () {
    await this.check()
    this.schedule()
  }

  private schedule () {
    if (this.closed) return
    // A timeout, not an interval: a slow check is never overlapped by the next.
    this.timer = setTimeout(() => {
      this.running = this.check().catch(() => {}).finally(() => {
        this.running = undefined
        this.schedule()
      })
    }, this.options.checkMs)
    this.timer.unref()
  }

  async check () {
    const now = Date.now()
    let primaryLsn: bigint | undefined
    try {
      // The write position: where a replica that has everything stops (the end of the last
      // record), even on an idle primary.
      const { rows: [row] } = await this.primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')
      primaryLsn = parseLsn(row.lsn)
      const last = this.history[this.history.length - 1]
      if (!last || last.lsn !== primaryLsn) this.history.push({ lsn: primaryLsn, at: now })
      // Only positions some replica may still be short of matter (a little more than the bound
      // back): one beyond that is over the bound whichever it is.
      const horizon = now - this.options.maxLagMs - 2 * this.options.checkMs
      while (this.history.length > 1 && this.history[1].at < horizon) this.history.shift()
    } catch {
      // The primary does not answer: nothing to measure against; the replicas keep their
      // last state (reads fall back to the primary anyway, which is down).
    }
    await Promise.all(this.replicas.map(r => this.checkOne(r, primaryLsn, now)))
  }

  private async checkOne (replica: Replica, primaryLsn: bigint | undefined, now: number) {
    let answer: { standby: boolean, replay: string | null }
    try {
      answer = await replica.ask()
    } catch (err) {
      replica.set('down', null, null, (err as Error).message)
      return
    }
    if (!answer.standby) {
      // Not a standby (a promoted one, or a wrong URL): it may not hold this database's data
      // as the primary has it, so it is never read from.
      replica.set('not_standby', null, null, 'pg_is_in_recovery() is false')
      return
    }
    if (answer.replay === null) {
      replica.set('starting', null, null, 'it has replayed nothing yet')
      return
    }
    if (primaryLsn === undefined) return
    const replay = parseLsn(answer.replay)
    replica.replayLsn = replay
    const behind = primaryLsn > replay ? primaryLsn - replay : 0n
    // The first position the primary was seen at that the replica has not replayed: it has
    // been missing what was written by then, for at least this long.
    const missing = behind === 0n ? undefined : this.history.find(h => h.lsn > replay)
    const lagMs = missing ? now - missing.at : 0
    const lagBytes = Number(behind)
    replica.set(lagMs > this.options.maxLagMs ? 'lagging' : 'ok', lagBytes, lagMs, lagMs > this.options.maxLagMs ? `${lagMs} ms behind the primary` : undefined)
  }

  /**
   * The handle of a replica in use that has replayed at least `after` (a key's last write,
   * so that it reads what it wrote), taking turns; undefined when there is none.
   */
  reader (after: bigint = 0n): Database | undefined {
    const count = this.replicas.length
    for (let i = 0; i < count; i++) {
      const replica = this.replicas[(this.next + i) % count]
      if (replica.usable() && replica.replayLsn >= after) {
        this.next = (this.next + i + 1) % count
        return replica.db
      }
    }
    return undefined
  }

  /**
   * The primary's WAL position now: after a write commits, what a replica must have replayed
   * to show it. The insert position, not the write position the checks use: with
   * synchronous_commit off a commit returns before its record is written, and the write
   * position can still be short of it. (At a page boundary the insert position is past the
   * page header, which a replica only reaches with the next record: its key then reads the
   * primary a little longer, never a replica without its write.)
   */
  async writePosition (): Promise<bigint> {
    const { rows: [row] } = await this.primary.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn')
    return parseLsn(row.lsn)
  }

  status (): ReplicaStatus[] {
    return this.replicas.map(r => r.status())
  }

  async close () {
    this.closed = true
    clearTimeout(this.timer)
    // A check under way would open a probe connection again after the replicas closed theirs.
    await this.running
    await Promise.all(this.replicas.map(r => r.close()))
  }
}
