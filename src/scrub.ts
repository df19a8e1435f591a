/**
 * Removes personal data (phone numbers, voter IDs) and key secrets from text bound for
 * the log. Callers percent-encode, write numbers with spaces and brackets, and name query
 * parameters as they like, so text is scrubbed on its decoded form, by parameter name
 * and by pattern. Over-scrubbing a log line costs little; a leaked number cannot be
 * taken back.
 */

/** Query parameters (and logged fields) whose value is personal data, whatever it looks like. */
export const PERSONAL_NAME = /phone|mobile|voter|epic|contact|whatsapp|msisdn|aadha?ar/i

const SECRET = /sg_[A-Za-z0-9_-]{20,}/g

// Between two digits of a phone number: up to three of space, dot, dash, bracket or plus
// ('(972) 360-8964', '+91.97236.08964', '97236+08964' from a form-encoded query).
const GAP = '[\\s.()+\\-]{0,3}'
// An Indian mobile (ten digits starting 6-9), bare or after +91, 0091, 91 or 0, not part
// of a longer run of digits (a timestamp, a count).
const PHONE = new RegExp(`(?<!\\d)(?:(?:\\+|00)${GAP}91${GAP}|91${GAP}|0${GAP})?[6-9](?:${GAP}\\d){9}(?!\\d)`, 'g')
// Voter IDs as src/people/identity.ts accepts them, in any case: ABC1234567, even glued
// to other letters, or ABC 1234567 (or ABC-1234567) as a word of its own, so that
// 'processed 1234567' stays; older cards' UP/12/123/456789, any number of digits a group.
const EPIC = /[A-Za-z]{3}\d{7}(?!\d)|(?<![A-Za-z])[A-Za-z]{3}[\s+.-]\d{7}(?!\d)/g
const OLD_VOTER_ID = /[A-Za-z]{2}(?:\s*\/\s*\d+){3}/g
// Ids are left alone: a UUID's digit groups could otherwise pass for a phone number.
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi

// name=value where the name is personal: the value runs to the next '&' and, since a
// decoded number may hold spaces ('97236 08964'), over any further words that start
// with a digit, a bracket or a plus.
const PERSONAL_PAIR = new RegExp(`([\\w.-]*(?:${PERSONAL_NAME.source})[\\w.-]*=)[^&#\\s]*(?:\\s+[\\d(+][^&#\\s]*)*`, 'gi')

/**
 * Percent-decodes every well-formed %XX run, repeatedly (a value encoded twice is still
 * a phone number), and leaves malformed sequences as they are instead of giving up on
 * the whole text.
 */
export function decodePercent (text: string): string {
  let current = text
  for (let round = 0; round < 3 && current.includes('%'); round++) {
    const next = current.replace(/(?:%[0-9A-Fa-f]{2})+/g, decodeRun)
    if (next === current) break
    current = next
  }
  return current
}

function decodeRun (run: string): string {
  try {
    return decodeURIComponent(run)
  } catch {
    // Not UTF-8 as a whole: decode the ASCII bytes, keep the others encoded.
    return run.replace(/%([0-7][0-9A-Fa-f])/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
  }
}

/** Phone numbers and voter IDs by their shape, outside UUIDs. */
function scrubPatterns (text: string): string {
  let out = ''
  let from = 0
  for (const id of text.matchAll(UUID)) {
    out += scrubShapes(text.slice(from, id.index)) + id[0]
    from = id.index + id[0].length
  }
  return out + scrubShapes(text.slice(from))
}

function scrubShapes (text: string): string {
  return text
    .replace(OLD_VOTER_ID, '[voter-id]')
    .replace(PHONE, '[phone]')
    .replace(EPIC, '[voter-id]')
}

// A string that is a single URL or path, scrubbed as one (scrubUrl).
const URL_FORM = /^(?:https?:\/\/|\/)\S*$/

/**
 * Any logged string: secrets, then personal name=value pairs (before and after
 * decoding), then phone numbers and voter IDs by pattern, on the decoded text. A string
 * that is a single URL or path is scrubbed as one, parameter by parameter.
 */
export function scrub (text: string): string {
  if (URL_FORM.test(text)) return scrubUrl(text)
  return untouchable(text) ? text : scrubFully(text)
}

/** scrub() without its shortcut for untouchable text (the tests hold the two to the same answers). */
export function scrubFully (text: string): string {
  if (URL_FORM.test(text)) return scrubUrlFully(text)
  // Pairs first on the raw text too: decoding '97236%2008964' would split the value.
  return scrubDecoded(decodePercent(text.replace(SECRET, '[secret]').replace(PERSONAL_PAIR, '$1[redacted]')))
}

/**
 * Text none of the rules here can change: no '%' to decode, no '=' of a name=value pair, no
 * secret's 'sg_', and fewer than three digits outside UUIDs (the shortest pattern, an older
 * voter card's UP/1/2/3, has three; a phone ten). Most of what a request logs is such text
 * (the message, a minted request id, a path of words and ids) and is kept as it is without
 * running the patterns over it, which took a tenth of a unit read's CPU.
 */
export function untouchable (text: string): boolean {
  if (text.includes('%') || text.includes('=') || text.includes('sg_')) return false
  const outside = text.includes('-') ? text.replace(UUID, '') : text
  let digits = 0
  for (let i = 0; i < outside.length; i++) {
    const c = outside.charCodeAt(i)
    if (c >= 48 && c <= 57 && ++digits >= 3) return false
  }
  return true
}

/**
 * Whether text that would be kept verbatim (a caller's request id) could carry a phone
 * number, a voter ID or a secret: the scrubber would change it, even read as a UUID.
 */
export function mayCarryPersonalData (text: string): boolean {
  return scrub(text) !== text || scrubShapes(decodePercent(text)) !== text
}

/**
 * A request URL for the log. The path and every query parameter are percent-decoded
 * (a '+' in the query is a space, as the query parser reads it); a parameter named like
 * phone or voterId loses its value whatever it is; everything else is scrubbed by
 * pattern. The result is logged decoded, not re-encoded: a reader sees what the service
 * saw, and re-encoding could split a number ('97236%2008964') past a later search.
 */
export function scrubUrl (url: string): string {
  return !url.includes('?') && untouchable(url) ? url : scrubUrlFully(url)
}

/** scrubUrl() without its shortcut. */
export function scrubUrlFully (url: string): string {
  const cut = url.indexOf('?')
  const path = cut === -1 ? url : url.slice(0, cut)
  const scrubbedPath = scrubDecoded(decodePercent(path))
  if (cut === -1) return scrubbedPath
  const query = url.slice(cut + 1).split('&').map(pair => {
    const eq = pair.indexOf('=')
    const name = decodePercent((eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '))
    if (eq === -1) return scrubDecoded(name)
    if (PERSONAL_NAME.test(name)) return `${scrubDecoded(name)}=[redacted]`
    return `${scrubDecoded(name)}=${scrubDecoded(decodePercent(pair.slice(eq + 1).replace(/\+/g, ' ')))}`
  })
  return `${scrubbedPath}?${query.join('&')}`
}

function scrubDecoded (decoded: string): string {
  return scrubPatterns(decoded.replace(SECRET, '[secret]').replace(PERSONAL_PAIR, '$1[redacted]'))
}
