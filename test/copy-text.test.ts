import t from 'tap'
import { copyField, copyLine } from '../src/db/copy-text.js'

// COPY text as PostgreSQL reads it (the round trip through the server is in the imports' and the seed's tests).
t.test('fields: NULL, booleans, numbers, text with and without the characters COPY escapes', async (t) => {
  t.equal(copyField(null), '\\N')
  t.equal(copyField(true), 't')
  t.equal(copyField(false), 'f')
  t.equal(copyField(72), '72')
  t.equal(copyField(0.25), '0.25')
  t.equal(copyField('Rekha Devi'), 'Rekha Devi')
  t.equal(copyField('\\N'), '\\\\N', 'a literal backslash-N is not NULL')
  t.equal(copyField('a\tb\nc\rd\\e'), 'a\\tb\\nc\\rd\\\\e')
  t.equal(copyField('बूथ\tसमिति'), 'बूथ\\tसमिति')
  t.equal(copyLine(['x', null, 3, false]), 'x\t\\N\t3\tf\n')
})
