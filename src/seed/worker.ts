import { parentPort, workerData } from 'node:worker_threads'
import { encodeBatch } from './encode.js'
import { generate, type GenerateOptions } from './generate.js'
import { presetByName } from './plan.js'

/**
 * The seed's generator in a thread of its own (seed/batches.ts starts it): it makes and
 * encodes the next batches while the load's thread streams the last one to the database,
 * at most AHEAD batches ahead of what the load has taken: two districts' four batches
 * (a few MB of text each), as a district's small batches copy in no time and a lead of
 * two batches left the load waiting for the generator (3.1 s of cg's 4.3 s of generating).
 */
export interface WorkerInput { preset: string, options: GenerateOptions }
export type WorkerMessage = { batch: ReturnType<typeof encodeBatch> } | { done: true } | { error: string }

const AHEAD = 8
const port = parentPort!
const input = workerData as WorkerInput
let sent = 0
let taken = 0
let wake: (() => void) | undefined
port.on('message', () => { taken++; wake?.() })

try {
  const preset = presetByName(input.preset)
  if (!preset) throw new Error(`no preset ${input.preset}`)
  for (const batch of generate(preset, input.options)) {
    port.postMessage({ batch: encodeBatch(batch) } satisfies WorkerMessage)
    sent++
    for (;;) {
      if (sent - taken < AHEAD) break
      await new Promise<void>(resolve => { wake = resolve })
    }
  }
  port.postMessage({ done: true } satisfies WorkerMessage)
} catch (err) {
  port.postMessage({ error: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies WorkerMessage)
}
