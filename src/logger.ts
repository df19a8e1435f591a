import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino'
import { PERSONAL_NAME, scrub, scrubUrl } from './scrub.js'

/**
 * pino JSON logs; pretty only when a person is watching a terminal, never chosen by
 * NODE_ENV. Personal data (phone numbers, voter IDs) and secrets never reach a line:
 * known fields are redacted by path, fields named like phone or voterId at any depth lose
 * their value, the request URL is scrubbed parameter by parameter on its decoded form,
 * and every other string is scrubbed by pattern (src/scrub.ts).
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

function scrubDeep (value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value)
  if (depth > 6 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(v => scrubDeep(v, depth + 1))
  // Class instances (requests, errors) are left to their serializers, which scrub them;
  // copying them here would lose their getters. formatters.log runs before serializers.
  if (Object.getPrototypeOf(value) !== Object.prototype) return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    out[k] = PERSONAL_NAME.test(k) && (typeof v === 'string' || typeof v === 'number') ? '[redacted]' : scrubDeep(v, depth + 1)
  }
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
        url: scrubUrl(String(req.url ?? '')),
        host: req.hostname === undefined ? undefined : scrub(req.hostname),
        remoteAddress: req.ip
      })
    },
    formatters: {
      log: (object) => scrubDeep(object) as Record<string, unknown>,
      // Child bindings (reqId) are written on every line: scrubbed too, though genReqId
      // already refuses a caller's id that could carry personal data.
      bindings: (bindings) => scrubDeep(bindings) as Record<string, unknown>
    },
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
  // Written asynchronously: a line is never held back (no minimum length), but lines that
  // arrive while a write is in flight go out together in the next one, instead of one
  // synchronous write(2) per line, which was a third of the request log's cost under load
  // (npm run bench -- reads). pino flushes what is pending synchronously when the process
  // exits, including after a fatal error.
  return pino(options, pino.destination({ dest: 1, sync: false }))
}
