/**
 * Calendar dates in this service are India dates (Asia/Kolkata, UTC+05:30, no DST).
 */
const IST_OFFSET_MS = 5.5 * 60 * 60 * 1000

/** Today's date in India, as YYYY-MM-DD. */
export function indiaToday (now: Date = new Date()): string {
  return new Date(now.getTime() + IST_OFFSET_MS).toISOString().slice(0, 10)
}

/** The last instant of a YYYY-MM-DD day in India, as a UTC Date. */
export function indiaEndOfDay (date: string): Date {
  return new Date(Date.parse(`${date}T23:59:59.999+05:30`))
}
