import { z } from 'zod'

/** Field schemas shared by several resources. */

export const IsoDate = z.iso.date().describe('YYYY-MM-DD, a date in India (Asia/Kolkata)')
