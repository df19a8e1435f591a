import { createServer, type AddressInfo } from 'node:net'

/** A port nothing listens on now, on the loopback address. */
export async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    }).on('error', reject)
  })
}
