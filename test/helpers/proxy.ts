import net from 'node:net'

/**
 * A TCP relay in front of PostgreSQL, so a test can cut the database off the way a
 * network failure or server crash would, without touching the shared server.
 */
export async function startProxy (target: URL) {
  const sockets = new Set<net.Socket>()
  let accepting = true
  const server = net.createServer((client) => {
    if (!accepting) { client.destroy(); return }
    const upstream = net.connect(Number(target.port || 5432), target.hostname)
    sockets.add(client).add(upstream)
    client.pipe(upstream).pipe(client)
    const drop = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream) }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  const url = new URL(target.toString())
  url.hostname = '127.0.0.1'
  url.port = String(port)
  return {
    url: url.toString(),
    /** Severs every open connection and refuses new ones. */
    cut () {
      accepting = false
      for (const s of sockets) s.destroy()
      sockets.clear()
    },
    restore () { accepting = true },
    close: () => new Promise<void>(resolve => { accepting = false; for (const s of sockets) s.destroy(); server.close(() => resolve()) })
  }
}
