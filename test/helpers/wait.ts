export { freePort } from '../../bench/net.js'

/**
 * Polls `probe` until it gives a value (anything but undefined), or fails after `ms`:
 * never a fixed sleep where a condition can be awaited.
 */
export async function untilDefined<T> (what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}
