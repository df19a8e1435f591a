import { Worker } from 'node:worker_threads'

/**
 * An HTTP client on a thread of its own: its own event loop, free to run on the other core,
 * as a load generator in another process would be. A fetch made from the server's own
 * thread spends its CPU (the request, reading the body) on the loop that serves the
 * request, and is timed as the server's. Each request's time is taken in the worker,
 * from just before fetch() to the last byte read.
 */
export function clientThread () {
  const worker = new Worker(`
    const { parentPort } = require('node:worker_threads')
    parentPort.on('message', async ({ id, url, headers }) => {
      const start = process.hrtime.bigint()
      try {
        const res = await fetch(url, { headers })
        const body = await res.arrayBuffer()
        const ms = Number(process.hrtime.bigint() - start) / 1e6
        parentPort.postMessage({ id, ms, status: res.status, text: res.status === 200 ? '' : Buffer.from(body).toString() })
      } catch (err) {
        parentPort.postMessage({ id, error: String(err) })
      }
    })`, { eval: true })
  let next = 0
  const waiting = new Map<number, { resolve: (ms: number) => void, reject: (err: Error) => void, url: string }>()
  worker.on('message', (m: { id: number, ms: number, status: number, text: string, error?: string }) => {
    const w = waiting.get(m.id)
    if (!w) return
    waiting.delete(m.id)
    if (m.error) w.reject(new Error(m.error))
    else if (m.status !== 200) w.reject(new Error(`${w.url}: ${m.status} ${m.text}`))
    else w.resolve(m.ms)
  })
  return {
    /** GET `url`: the time the worker measured, in ms. */
    get (url: string, headers: Record<string, string>): Promise<number> {
      return new Promise((resolve, reject) => {
        const id = next++
        waiting.set(id, { resolve, reject, url })
        worker.postMessage({ id, url, headers })
      })
    },
    close: () => worker.terminate()
  }
}
