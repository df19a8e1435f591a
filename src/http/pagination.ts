import { z } from 'zod'
import { DomainError } from '../errors.js'

/** Every list is { items, nextCursor }; cursors are opaque base64url keyset positions. */

export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('Page size, 1 to 500 (default 50)'),
  cursor: z.string().min(1).max(1000).optional().describe('nextCursor from the previous page')
}

export function pageOf<T extends z.ZodType> (item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last page')
  })
}

export function encodeCursor (key: unknown): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url')
}

export function decodeCursor<T extends z.ZodType> (cursor: string | undefined, shape: T): z.infer<T> | undefined {
  if (cursor === undefined) return undefined
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    const parsed = shape.safeParse(decoded)
    if (parsed.success) return parsed.data
  } catch { /* fall through */ }
  throw new DomainError('invalid', 'invalid_cursor', 'The cursor is not one this API issued. Start again without a cursor.')
}

/** Rows were fetched with limit + 1; the extra row only tells whether there is a next page. */
export function toPage<R, I> (rows: R[], limit: number, toItem: (r: R) => I, keyOf: (r: R) => unknown) {
  const hasMore = rows.length > limit
  const pageRows = hasMore ? rows.slice(0, limit) : rows
  return {
    items: pageRows.map(toItem),
    nextCursor: hasMore ? encodeCursor(keyOf(pageRows[pageRows.length - 1])) : null
  }
}
