import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

// Short backoff, poll and lease, so that retries and take-overs happen within a test.
export const WEBHOOK_ENV = {
  WEBHOOK_KEY: randomBytes(32).toString('base64'),
  WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
  WEBHOOK_POLL_MS: '50',
  WEBHOOK_BACKOFF_BASE_MS: '50',
  WEBHOOK_BACKOFF_MAX_MS: '300',
  WEBHOOK_TIMEOUT_MS: '3000',
  WEBHOOK_CONNECT_TIMEOUT_MS: '1000',
  CHANGES_SEQUENCE_MS: '20'
}

export interface Received {
  headers: Record<string, string>
  body: string
  json: any
  status: number
}

/**
 * A webhook receiver on 127.0.0.1: answers each delivery with what `answer` says (a
 * status, or 'hang' to never answer), records every request, and can be closed and
 * opened again on the same port (a receiver down, then back).
 */
export class Receiver {
  readonly received: Received[] = []
  answer: (n: number, body: any) => number | 'hang' = () => 200
  private server: http.Server | undefined
  private hanging: http.ServerResponse[] = []
  port = 0

  get url () { return `http://127.0.0.1:${this.port}/hook` }

  async open () {
    const server = http.createServer((req, res) => {
      let body = ''
      req.on('data', c => { body += c })
      req.on('end', () => {
        let json: any
        try { json = JSON.parse(body) } catch { json = undefined }
        const answer = this.answer(this.received.length + 1, json)
        this.received.push({ headers: req.headers as Record<string, string>, body, json, status: answer === 'hang' ? 0 : answer })
        if (answer === 'hang') { this.hanging.push(res); return }
        res.statusCode = answer
        if (answer >= 300 && answer < 400) res.setHeader('location', 'http://169.254.169.254/')
        res.end()
      })
    })
    server.listen(this.port, '127.0.0.1')
    await once(server, 'listening')
    this.port = (server.address() as AddressInfo).port
    this.server = server
  }

  async close () {
    const server = this.server
    this.server = undefined
    if (!server) return
    for (const res of this.hanging.splice(0)) res.destroy()
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  }

  /** The deliveries of changes (not pings) received so far. */
  get changes () { return this.received.filter(r => r.json?.data?.position !== undefined) }
}

/** Polls until `check` holds (returns truthy), or fails after `ms`: never a fixed sleep. */
export async function until<T> (what: string, check: () => T | Promise<T>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}
