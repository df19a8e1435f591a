import { isAbsolute, resolve } from 'node:path'

/** A mistake in how the command was called (arguments, environment, files): exit 2. */
export class UsageError extends Error {}

/**
 * Runs a CLI's main and turns its answer into the exit code: the number it returns; 2 and
 * one line for a UsageError; 1 and one line (no stack) for anything else it throws.
 */
export function runCli (name: string, main: () => Promise<number>): void {
  main().then((code) => { process.exitCode = code }, (err) => {
    console.error(`${name}: ${oneLine(err)}`)
    process.exitCode = err instanceof UsageError ? 2 : 1
  })
}

/** The first line of what went wrong; pg's failed connect is an AggregateError with no message. */
function oneLine (err: unknown): string {
  const e = err as Error & { code?: string, errors?: unknown[] }
  const text = e?.message || (e?.errors?.length ? oneLine(e.errors[0]) : '') || e?.code || String(err)
  return text.split('\n')[0]
}

/**
 * The folder the caller typed the command in: npm runs scripts from the package root and
 * leaves the caller's folder in INIT_CWD, so a path relative to it means what they meant.
 */
export function callerFolder (): string {
  return process.env.INIT_CWD || process.cwd()
}

export function fromCaller (path: string): string {
  return isAbsolute(path) ? path : resolve(callerFolder(), path)
}

/**
 * Node's parseArgs with its refusals as one-line usage errors; they name the option, never
 * its value (which may be a secret).
 */
export function usageFromParseError (err: unknown): never {
  const code = (err as { code?: string }).code ?? ''
  if (!code.startsWith('ERR_PARSE_ARGS')) throw err
  // "Unknown option '--kye'. To specify a positional argument..." keeps its first sentence.
  throw new UsageError(`${(err as Error).message.split(/\.(\s|$)/)[0]} (see --help)`)
}
