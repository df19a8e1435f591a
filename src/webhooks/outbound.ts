import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import ipaddr from 'ipaddr.js'

/**
 * Where webhooks may be sent. Public unicast addresses: always. Private, loopback, CGNAT
 * and unique-local ones: only inside WEBHOOK_ALLOWED_NETWORKS. Link-local networks and the
 * cloud metadata addresses: never, even if listed (they hand out credentials). Anything
 * else (unspecified, multicast, broadcast, reserved): never.
 */
export class AddressPolicy {
  private readonly allowed: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>

  constructor (networks: string[]) {
    this.allowed = networks.map((n): [ipaddr.IPv4 | ipaddr.IPv6, number] => {
      if (n.includes('/')) return ipaddr.parseCIDR(n)
      const ip = normalise(ipaddr.parse(n))
      return [ip, ip.kind() === 'ipv4' ? 32 : 128]
    })
  }

  /** Why the address may not be connected to; undefined when it may. */
  refusal (address: string): string | undefined {
    if (!ipaddr.isValid(address)) return 'not an IP address'
    const ip = normalise(ipaddr.parse(address))
    const range = ip.range()
    if (ALWAYS_REFUSED.some(([net, bits]) => ip.kind() === net.kind() && ip.match(net, bits)) || range === 'linkLocal') {
      return `${address} is a link-local or cloud metadata address, which webhooks never reach`
    }
    if (this.allowed.some(([net, bits]) => ip.kind() === net.kind() && ip.match(net, bits))) return undefined
    if (range === 'unicast') return undefined
    return `${address} is a ${range} address not in WEBHOOK_ALLOWED_NETWORKS`
  }
}

const ALWAYS_REFUSED: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [
  ipaddr.parseCIDR('169.254.0.0/16'),
  ipaddr.parseCIDR('fe80::/10'),
  [ipaddr.parse('fd00:ec2::254'), 128],
  // Alibaba's metadata address, outside link-local.
  [ipaddr.parse('100.100.100.200'), 32]
]

/** IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is. */
function normalise (ip: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : ip
}

export class OutboundRefused extends Error {}

/**
 * Why a webhook URL can never be delivered to (registration's check): not http(s),
 * credentials in it, or a literal address the policy refuses. Host names are checked
 * when connecting, on the address they then resolve to.
 */
export function urlRefusal (policy: AddressPolicy, raw: string): string | undefined {
  let url: URL
  try { url = new URL(raw) } catch { return 'not a URL' }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'only http and https URLs are delivered to'
  if (url.username || url.password) return 'a URL with credentials in it is refused: the signature authenticates deliveries'
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (isIP(host)) return policy.refusal(host)
  return undefined
}

/**
 * DNS resolution checked at connect time: the socket connects only to an address the
 * policy allows, the one just checked, so a name that resolves to a public address at
 * registration and to 169.254.169.254 later (DNS rebinding) is refused.
 */
function checkedLookup (policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0)
      const list = addresses as LookupAddress[]
      const usable = list.filter(a => policy.refusal(a.address) === undefined)
      if (usable.length === 0) {
        return callback(new OutboundRefused(list.map(a => policy.refusal(a.address)).join('; ') || `${hostname} resolves to no address`), '', 0)
      }
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable)
      else callback(null, usable[0].address, usable[0].family)
    })
  }
}

export interface Sent {
  statusCode: number | null
  durationMs: number
  /** Why the attempt failed, in words safe to store and show (never a secret nor a body). */
  error: string | null
  ok: boolean
}

export interface SendOptions {
  connectTimeoutMs: number
  timeoutMs: number
  /** The worker stopping: the request is abandoned. */
  signal?: AbortSignal
}

/**
 * One POST, SSRF-safe: the address checked at connect time (literal addresses before),
 * no redirect followed (a 3xx is a failed attempt), a connect and a total deadline. Never
 * throws: the outcome is the attempt's record.
 */
export class Outbound {
  private readonly lookup: LookupFunction
  private readonly agents: { http: http.Agent, https: https.Agent }

  constructor (private readonly policy: AddressPolicy, private readonly options: SendOptions) {
    this.lookup = checkedLookup(policy)
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets: 4, lookup: this.lookup }),
      https: new https.Agent({ keepAlive: true, maxSockets: 4, lookup: this.lookup })
    }
  }

  async post (rawUrl: string, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<Sent> {
    const started = performance.now()
    const done = (statusCode: number | null, error: string | null): Sent => ({
      statusCode, error, ok: error === null && statusCode !== null && statusCode >= 200 && statusCode < 300, durationMs: Math.round(performance.now() - started)
    })
    const refused = urlRefusal(this.policy, rawUrl)
    if (refused) return done(null, `refused: ${refused}`)
    const url = new URL(rawUrl)
    const client = url.protocol === 'https:' ? https : http
    const deadline = AbortSignal.timeout(this.options.timeoutMs)
    const abort = signal ? AbortSignal.any([deadline, signal]) : deadline
    return new Promise<Sent>((resolve) => {
      let settled = false
      const finish = (statusCode: number | null, error: string | null) => {
        if (settled) return
        settled = true
        clearTimeout(connectTimer)
        resolve(done(statusCode, error))
      }
      let connectTimer: NodeJS.Timeout | undefined
      const request = client.request(url, {
        method: 'POST',
        agent: url.protocol === 'https:' ? this.agents.https : this.agents.http,
        lookup: this.lookup,
        signal: abort,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'sangathan-webhooks', ...headers }
      }, (response) => {
        const status = response.statusCode ?? null
        // The body is not wanted; read it (bounded) so the connection can be reused.
        let read = 0
        response.on('data', (chunk: Buffer) => { read += chunk.length; if (read > 64 * 1024) response.destroy() })
        response.on('end', () => finish(status, status !== null && status >= 300 && status < 400 ? `redirect (${status}) not followed` : status !== null && status >= 300 ? `HTTP ${status}` : null))
        response.on('error', () => finish(status, status !== null && status >= 300 ? `HTTP ${status}` : null))
        response.on('close', () => finish(status, status !== null && status >= 300 && status < 400 ? `redirect (${status}) not followed` : status !== null && status >= 300 ? `HTTP ${status}` : null))
      })
      request.on('socket', (socket) => {
        if (!socket.connecting) return
        connectTimer = setTimeout(() => request.destroy(new Error(`no connection within ${this.options.connectTimeoutMs} ms`)), this.options.connectTimeoutMs)
        socket.once('connect', () => clearTimeout(connectTimer))
      })
      request.on('error', (err) => {
        const reason = err instanceof OutboundRefused
          ? `refused: ${err.message}`
          : deadline.aborted ? `no answer within ${this.options.timeoutMs} ms` : signal?.aborted ? 'abandoned: the worker stopped' : describe(err)
        finish(null, reason)
      })
      request.end(body)
    })
  }

  close () {
    this.agents.http.destroy()
    this.agents.https.destroy()
  }
}

function describe (err: Error): string {
  const code = (err as { code?: string }).code
  return code ? `${code}: ${err.message}`.slice(0, 500) : err.message.slice(0, 500)
}
