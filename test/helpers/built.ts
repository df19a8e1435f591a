import { fileURLToPath } from 'node:url'

/**
 * The built entry point (dist/, compiled at install by `npm ci`'s prepare, and again by
 * `npm test`'s pretest whenever a source is newer than the build) that a test runs as a
 * child process, the way users run it: plain Node, no compiler on the start path. A CLI
 * or server started through tsx took 5 s longer per start on a loaded 2-core machine.
 */
export function built (entry: 'server' | 'cli/keys' | 'cli/import' | 'cli/seed'): string {
  return fileURLToPath(new URL(`../../dist/${entry}.js`, import.meta.url))
}
