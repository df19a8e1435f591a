/**
 * PostgreSQL's COPY text format, shared by the seed and the import staging: one line per
 * row, tab-separated, \N for NULL, backslash escapes for the characters that would end a
 * field or a line.
 */

export type CopyValue = string | number | boolean | null

const SPECIAL = /[\\\t\n\r]/g
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' }

export function copyField (value: CopyValue): string {
  if (value === null) return '\\N'
  if (typeof value === 'boolean') return value ? 't' : 'f'
  return String(value).replace(SPECIAL, ch => ESCAPED[ch])
}

/** One row as a COPY line, newline included. */
export function copyLine (row: readonly CopyValue[]): string {
  return row.map(copyField).join('\t') + '\n'
}
