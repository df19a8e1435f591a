/**
 * Runs a CLI's main and turns its answer into the exit code: the number it returns, or 1
 * with the message alone (no stack) for anything it throws.
 */
export function runCli (main: () => Promise<number>): void {
  main().then((code) => { process.exitCode = code }, (err) => {
    console.error((err as Error).message)
    process.exitCode = 1
  })
}
