import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { encodeBatch, type LoadBatch } from './encode.js'
import { generate, type GenerateOptions } from './generate.js'
import type { Preset } from './plan.js'
import type { WorkerInput, WorkerMessage } from './worker.js'

/**
 * The preset's batches, encoded as COPY text. Generated in a worker thread, so making the
 * next batch overlaps the COPY of the last (on two cores, the generator and the database
 * each keep one busy). Run from source (tsx, whose loader a worker does not inherit),
 * there is no compiled worker: then they are made here, one after the other.
 */
export async function * loadBatches (preset: Preset, options: GenerateOptions): AsyncGenerator<LoadBatch> {
  const script = new URL('./worker.js', import.meta.url)
  if (!existsSync(fileURLToPath(script))) {
    for (const batch of generate(preset, options)) yield encodeBatch(batch)
    return
  }
  const worker = new Worker(script, { workerData: { preset: preset.name, options } satisfies WorkerInput })
  const queue: WorkerMessage[] = []
  let failed: Error | undefined
  let wake: (() => void) | undefined
  worker.on('message', (message: WorkerMessage) => { queue.push(message); wake?.() })
  worker.on('error', (err) => { failed = err; wake?.() })
  worker.on('exit', (code) => { failed ??= new Error(`the seed's generator stopped (exit code ${code})`); wake?.() })
  const next = async (): Promise<WorkerMessage> => {
    for (;;) {
      const message = queue.shift()
      if (message) return message
      if (failed) throw failed
      await new Promise<void>(resolve => { wake = resolve })
    }
  }
  try {
    for (;;) {
      const message = await next()
      if ('error' in message) throw new Error(`the seed's generator failed: ${message.error}`)
      if ('done' in message) return
      worker.postMessage('taken')
      yield message.batch
    }
  } finally {
    worker.removeAllListeners()
    await worker.terminate()
  }
}
