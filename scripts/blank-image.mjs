// Part of `npm run build`, after the compiler: makes the blank database image that an empty
// PGlite data folder starts from (src/db/blank-image.ts). Plain JavaScript over dist/.
import { writeBlankImage } from '../dist/db/blank-image.js'
import { dumpPglite, openDatabase } from '../dist/db/client.js'

const started = Date.now()
// In memory: initdb, then every migration and routine, as a first start would.
const handle = await openDatabase({})
const dump = await dumpPglite(handle)
await handle.close()
const { path, bytes } = await writeBlankImage(dump)
console.error(`blank database image: ${path} (${(bytes / 1e6).toFixed(1)} MB, made in ${((Date.now() - started) / 1000).toFixed(1)} s)`)
