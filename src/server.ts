import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { createLogger } from './logger.js'

// The only place that listens, owns the process logger and handles signals.
const config = loadConfig()
const logger = createLogger(config.LOG_LEVEL)

try {
  const app = await buildApp({ config, logger })
  closeWithGrace({ delay: 10_000, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error')
    else logger.info({ signal }, 'shutting down: finishing in-flight requests')
    await app.close()
  })
  await app.listen({ port: config.PORT, host: config.HOST })
} catch (err) {
  logger.fatal({ err }, 'could not start')
  process.exit(1)
}
