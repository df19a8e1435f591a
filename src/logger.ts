import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino'

/**
 * pino JSON logs; pretty only when a person is watching a terminal, never chosen by
 * NODE_ENV. Personal data (phone numbers, voter IDs) and secrets never reach a line:
 * known fields are redacted by path, and every string is scrubbed by pattern, which
 * catches them in URLs, query strings and database error messages too.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'headers.authorization',
  '*.phone',
  '*.voterId',
  '*.voter_id'
]

// Indian mobiles in any common spelling, EPIC numbers, and our own key secrets.
const PHONE = /(?<![\w])(?:\+?91[\s-]?|0)?[6-9]\d{4}[\s-]?\d{5}(?![\w])/g
const EPIC = /(?<![\w])[A-Za-z]{3}\d{7}(?![\w])/g
const SECRET = /sg_[A-Za-z0-9_-]{20,}/g
const ENCODED_PLUS_PHONE = /%2B91[\d%]{10,16}/gi

export function scrub (text: string): string {
  return text
    .replace(SECRET, '[secret]')
    .replace(ENCODED_PLUS_PHONE, '[phone]')
    .replace(PHONE, '[phone]')
    .replace(EPIC, '[voter-id]')
}

function scrubDeep (value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value)
  if (depth > 6 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(v => scrubDeep(v, depth + 1))
  // Class instances (requests, errors) are left to their serializers, which scrub them;
  // copying them here would lose their getters. formatters.log runs before serializers.
  if (Object.getPrototypeOf(value) !== Object.prototype) return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, depth + 1)
  return out
}

/** Errors keep their type, message and code; never a driver's detail or query parameters. */
function serializeError (err: unknown) {
  if (!err || typeof err !== 'object') return err
  const e = err as { name?: string, message?: string, code?: unknown, constraint?: unknown, stack?: string, cause?: unknown }
  // drizzle's wrapper message embeds the SQL and its parameters: keep only the first line.
  const message = String(e.message ?? '').split('\nparams:')[0].split('\n')[0]
  const cause = e.cause as { message?: string, code?: unknown } | undefined
  return {
    type: e.name,
    message: scrub(message),
    code: e.code,
    constraint: e.constraint,
    cause: cause ? { message: scrub(String(cause.message ?? '').split('\n')[0]), code: cause.code } : undefined,
    stack: e.stack ? scrub(e.stack.split('\n').filter(l => /^\s+at /.test(l)).slice(0, 10).join('\n')) : undefined
  }
}

export function loggerOptions (level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      err: serializeError,
      error: serializeError,
      req: (req: { method: string, url: string, hostname?: string, ip?: string, headers?: Record<string, unknown> }) => ({
        method: req.method,
        url: scrub(String(req.url ?? '')),
        host: req.hostname,
        remoteAddress: req.ip
      })
    },
    formatters: { log: (object) => scrubDeep(object) as Record<string, unknown> },
    hooks: {
      logMethod (args, method) {
        method.apply(this, args.map(a => typeof a === 'string' ? scrub(a) : a) as Parameters<typeof method>)
      }
    }
  }
}

export function createLogger (level: string, destination?: DestinationStream): Logger {
  const options = loggerOptions(level)
  if (destination) return pino(options, destination)
  if (process.stdout.isTTY) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:standard' } } })
  }
  return pino(options)
}
