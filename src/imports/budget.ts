/**
 * How many imports may run at once, in all and per key: each holds a database connection
 * (PostgreSQL) or the one connection (PGlite) for its whole run, so an unbounded number of
 * slow uploads would starve every other request. A request beyond the budget is refused
 * at once (429 with Retry-After) rather than queued.
 */
export class ImportBudget {
  private total = 0
  private readonly perKey = new Map<string, number>()

  constructor (private readonly limits: { total: number, perKey: number }) {}

  /** A release function when there is room; undefined when the budget is spent. */
  acquire (keyId: string): (() => void) | undefined {
    const mine = this.perKey.get(keyId) ?? 0
    if (this.total >= this.limits.total || mine >= this.limits.perKey) return undefined
    this.total++
    this.perKey.set(keyId, mine + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      this.total--
      const left = (this.perKey.get(keyId) ?? 1) - 1
      if (left === 0) this.perKey.delete(keyId)
      else this.perKey.set(keyId, left)
    }
  }
}
