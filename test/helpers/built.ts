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

/**
 * A command and its arguments, to run as a user's shell would: without the process-info
 * hook tap adds to NODE_OPTIONS of every process a test file starts (it patches spawn, so
 * an env without it is not enough). The hook routes every module a child loads through a
 * loader thread: `keys list` took 1.9 s instead of 1.1 s, `keys --help` 0.25 s instead of
 * 0.1 s, and it only serves coverage, which dist/ does not count toward.
 */
export function plain (command: string, args: string[]): [string, string[]] {
  return ['env', ['-u', 'NODE_OPTIONS', command, ...args]]
}

/**
 * How V8 compiles PGlite's WebAssembly, passed on from this process to the CLIs and servers
 * it starts. tap runs the test files with --liftoff-only (package.json): PGlite's
 * PostgreSQL is compiled once by V8's baseline compiler and never recompiled by the
 * optimising one, which for a process that lives seconds costs more CPU than it saves: a
 * test file took ~20% less CPU, `seed --preset demo` ~35% less. It changes no behaviour,
 * only how the same code is compiled. A file run without it starts its children without it.
 */
const WASM_TIERING = process.execArgv.filter(arg => arg === '--liftoff-only')

/** `node dist/<entry>.js ARGS`, run plain. */
export function node (entry: Parameters<typeof built>[0], ...args: string[]): [string, string[]] {
  return plain(process.execPath, [...WASM_TIERING, built(entry), ...args])
}
