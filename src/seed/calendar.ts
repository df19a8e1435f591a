/**
 * Dates as day numbers (days since 1970-01-01), so "joined 400 days before today" is
 * integer arithmetic; written out as ISO dates only when a row is made.
 */
const DAY_MS = 86_400_000

export function dayNumber (isoDate: string): number {
  return Math.floor(Date.parse(`${isoDate}T00:00:00Z`) / DAY_MS)
}

export function isoDate (day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}
