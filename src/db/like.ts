/** An ILIKE pattern matching `text` anywhere, with LIKE's wildcards in it taken literally. */
export function containing (text: string): string {
  return `%${text.replace(/[\\%_]/g, m => '\\' + m)}%`
}
