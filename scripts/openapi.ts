import { mkdirSync, writeFileSync } from 'node:fs'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'

// Regenerates openapi/openapi.json from the running app's zod schemas (in-memory database).
// test/openapi.test.ts fails when the committed copy differs from what the app serves.
const config = { ...loadConfig({ LOG_LEVEL: 'silent' }), DATA_DIR_PGLITE: undefined }
const app = await buildApp({ config })
mkdirSync(new URL('../openapi/', import.meta.url), { recursive: true })
writeFileSync(new URL('../openapi/openapi.json', import.meta.url), JSON.stringify(app.swagger(), null, 2) + '\n')
await app.close()
console.log('wrote openapi/openapi.json')
