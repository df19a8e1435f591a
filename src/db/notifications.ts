import type pg from 'pg'
import { directClient, type DatabaseHandle } from './client.js'

export interface Listener {
  close (): Promise<void>
}

export interface ListenOptions {
  /** Told when the connection failed; it is opened again after `retryMs`. */
  onError?: (err: Error) => void
  retryMs?: number
}

/**
 * Hears NOTIFY on `channel` from any process. PostgreSQL: one connection of its own,
 * outside the pool (a pooled connection cannot stay LISTENing), straight to the server
 * (DATABASE_DIRECT_URL) when the pool goes through a pooler, opened again after an
 * error. PGlite: nothing to hear, as one process owns the database and tells its own
 * waiters directly; the caller's in-process signal covers it.
 */
export async function listen (handle: DatabaseHandle, channel: string, onMessage: (payload: string) => void, options: ListenOptions = {}): Promise<Listener> {
  const { driver } = handle
  if (driver.kind === 'pglite') return { async close () {} }
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a plain channel name: ${channel}`)
  const retryMs = options.retryMs ?? 1_000
  let client: pg.Client | undefined
  let closed = false
  let retry: NodeJS.Timeout | undefined

  const connect = async () => {
    retry = undefined
    if (closed) return
    const next = directClient(driver.direct, 'sangathan listener')
    const failed = (err: Error) => {
      if (client !== next) return
      client = undefined
      next.removeAllListeners('notification')
      next.end().catch(() => {})
      options.onError?.(err)
      if (!closed) retry = setTimeout(() => { connect().catch(() => {}) }, retryMs).unref()
    }
    client = next
    next.on('error', failed)
    next.on('end', () => failed(new Error('listener connection ended')))
    next.on('notification', (message) => { if (message.channel === channel) onMessage(message.payload ?? '') })
    try {
      await next.connect()
      await next.query(`LISTEN ${channel}`)
    } catch (err) {
      failed(err as Error)
    }
  }
  await connect()
  return {
    async close () {
      closed = true
      if (retry) clearTimeout(retry)
      const open = client
      client = undefined
      if (open) await open.end().catch(() => {})
    }
  }
}
