// tap runs this once before the test files (package.json "tap".before): it makes the
// migrated database they start from, so that parallel files do not each make it.
import { ensureTemplate, pgliteSnapshot, usingPostgres } from './helpers/database.js'

if (usingPostgres) await ensureTemplate()
else await pgliteSnapshot()
