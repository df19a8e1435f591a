/**
 * Reading PostgreSQL's refusals. drizzle wraps driver errors, so the pg/PGlite error
 * may be the cause of the error we catch.
 */
export interface PgErrorFields {
  code: string
  constraint?: string
  table?: string
  message: string
}

export function pgError (err: unknown): PgErrorFields | undefined {
  let current: unknown = err
  for (let i = 0; i < 4 && current; i++) {
    const e = current as { code?: unknown, constraint?: unknown, table?: unknown, message?: unknown, cause?: unknown }
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
      return {
        code: e.code,
        constraint: typeof e.constraint === 'string' ? e.constraint : undefined,
        table: typeof e.table === 'string' ? e.table : undefined,
        message: typeof e.message === 'string' ? e.message : ''
      }
    }
    current = e.cause
  }
  return undefined
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'])

/** True when the database cannot be reached or is shutting down: the caller should retry later. */
export function isDatabaseUnavailable (err: unknown): boolean {
  let current: unknown = err
  for (let i = 0; i < 4 && current; i++) {
    const e = current as { code?: unknown, message?: unknown, cause?: unknown }
    if (typeof e.code === 'string') {
      if (NETWORK_CODES.has(e.code)) return true
      // 08: connection exception; 57P01-03: admin/crash shutdown, cannot connect now; 53300: too many connections
      if (/^08...$/.test(e.code) || ['57P01', '57P02', '57P03', '53300'].includes(e.code)) return true
    }
    if (typeof e.message === 'string' && /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)|PGlite is closed/i.test(e.message)) {
      return true
    }
    current = e.cause
  }
  return false
}

/** Serialization failures and deadlocks: safe to retry the whole transaction. */
export function isRetryableConflict (err: unknown): boolean {
  const code = pgError(err)?.code
  return code === '40001' || code === '40P01'
}

/** The name of the constraint PostgreSQL refused a change for, if any. */
export function constraintOf (err: unknown): string | undefined {
  return pgError(err)?.constraint
}
