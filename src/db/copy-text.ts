/**
 * PostgreSQL's COPY text format, shared by the seed and the import staging: one line per
 * row, tab-separated, \N for NULL, backslash escapes for the characters that would end a
 * field or a line.
 */

export type CopyValue = string | number | boolean | null

const SPECIAL = /[\\\t\n\r]/g
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' }

// Most fields need no escape: a test finds that faster than a replace that changes nothing.
const NEEDS_ESCAPE = new RegExp(SPECIAL.source)

export function copyField (value: CopyValue): string {
  if (value === null) return '\\N'
  if (typeof value === 'boolean') return value ? 't' : 'f'
  if (typeof value === 'number') return String(value)
  return NEEDS_ESCAPE.test(value) ? value.replace(SPECIAL, ch => ESCAPED[ch]) : value
}

/** One row as a COPY line, newline included. */
export function copyLine (row: readonly CopyValue[]): string {
  return row.map(copyField).join('\t') + '\n'
}
