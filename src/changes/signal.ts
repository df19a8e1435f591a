/**
 * Wakes the readers waiting for changes (long-polls, event streams) when new positions
 * become visible: told by this process's sequencer directly, and by the database's NOTIFY
 * for runs in other processes. A waiter names the highest position it has read; it wakes
 * at once if a higher one was announced since, so no announcement falls between a read
 * and the wait.
 */
export class ChangeSignal {
  /** The highest position announced so far. */
  latest = 0
  private waiters = new Set<() => void>()

  announce (position: number) {
    if (!Number.isFinite(position) || position <= this.latest) return
    this.latest = position
    const woken = [...this.waiters]
    this.waiters.clear()
    for (const wake of woken) wake()
  }

  /**
   * Resolves when a position above `beyond` is announced, after `ms`, or when `abort`
   * fires (the server closing, the client gone), whichever comes first.
   */
  wait (beyond: number, ms: number, abort?: AbortSignal): Promise<void> {
    if (this.latest > beyond || ms <= 0 || abort?.aborted) return Promise.resolve()
    return new Promise(resolve => {
      const done = () => {
        clearTimeout(timer)
        this.waiters.delete(done)
        abort?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.waiters.add(done)
      abort?.addEventListener('abort', done, { once: true })
    })
  }

  /** How many readers are waiting (for tests and the logs). */
  get waiting (): number {
    return this.waiters.size
  }
}
