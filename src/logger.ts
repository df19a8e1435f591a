import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino'

/**
 * pino JSON logs; pretty only when a person is watching a terminal, never chosen by
 * NODE_ENV. Secrets and personal data are redacted before a line is written.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'headers.authorization'
]

export function loggerOptions (level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' }
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
