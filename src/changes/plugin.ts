import fp from 'fastify-plugin'
import { listen } from '../db/notifications.js'
import { Sequencer } from './sequencer.js'
import { ChangeSignal } from './signal.js'

export interface ChangeFeed {
  signal: ChangeSignal
  sequencer: Sequencer
  /** Aborted when the server begins to close: long-polls answer, event streams end. */
  closing: AbortSignal
  heartbeatMs: number
}

declare module 'fastify' {
  interface FastifyInstance {
    changeFeed: ChangeFeed
  }
}

export interface ChangeFeedOptions {
  sequenceMs: number
  retentionDays: number
  heartbeatMs: number
}

/** The channel sequence_changes() notifies (src/db/routines/50_changes.sql). */
const CHANNEL = 'sangathan_changes'
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * The change feed's machinery: the sequencer that numbers committed changes (every
 * sequenceMs, and right after a write request), and the signal that wakes waiting
 * readers, fed by this process's sequencer and by NOTIFY from the others. Started when
 * the app is ready; stopped, with its listener, as soon as the app begins to close.
 */
export default fp<ChangeFeedOptions>(async (app, options) => {
  const signal = new ChangeSignal()
  const sequencer = new Sequencer(app.db, signal, { intervalMs: options.sequenceMs, retentionDays: options.retentionDays, log: app.log })
  const closing = new AbortController()
  let listener: Awaited<ReturnType<typeof listen>> | undefined
  app.decorate('changeFeed', { signal, sequencer, closing: closing.signal, heartbeatMs: options.heartbeatMs })

  app.addHook('onReady', async () => {
    listener = await listen(app.database, CHANNEL, payload => signal.announce(Number(payload)), {
      onError: (err) => app.log.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'change feed listener lost its connection; reconnecting')
    })
    sequencer.start()
  })
  // A write has committed by the time its answer is sent: number it now, not at the next tick.
  app.addHook('onResponse', async (request, reply) => {
    if (WRITES.has(request.method) && reply.statusCode < 400) sequencer.poke().catch(() => {})
  })
  app.addHook('preClose', async () => {
    closing.abort()
    await sequencer.stop()
    await listener?.close()
  })
}, { name: 'change-feed', dependencies: ['database'] })
