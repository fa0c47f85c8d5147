import { IamError, invalidParameter } from './iam-error.js'
import { DEFAULT_MAX_ITEMS, MAX_MAX_ITEMS, MIN_MAX_ITEMS } from './limits.js'

/** One page of a list call. */
export interface Page<T> {
  items: T[]
  isTruncated: boolean
  marker?: string
}

/**
 * Cuts one page out of `items`. Items are ordered by `key` (unique, plain
 * string order: IAM documents no order for its lists); the marker carries
 * the last key returned, so a page stays
 * correct when items are added or removed between calls. The marker is
 * opaque to callers and bound to the list it came from.
 */
export function paginate<T>(
  items: readonly T[],
  key: (item: T) => string,
  list: string,
  marker: string | undefined,
  maxItems: string | undefined,
  pageCap = Infinity
): Page<T> {
  const limit = Math.min(parseMaxItems(maxItems), pageCap)
  const sorted = [...items].sort((a, b) => compare(key(a), key(b)))
  let start = 0

  if (marker !== undefined) {
    const after = decodeMarker(marker, list)
    while (start < sorted.length && compare(key(sorted[start]), after) <= 0) {
      start++
    }
  }

  const page = sorted.slice(start, start + limit)
  const isTruncated = start + limit < sorted.length
  if (!isTruncated) return { items: page, isTruncated }
  return {
    items: page,
    isTruncated,
    marker: encodeMarker(list, key(page[page.length - 1]))
  }
}

function parseMaxItems(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_ITEMS
  const n = Number(value)
  if (!Number.isInteger(n) || n < MIN_MAX_ITEMS || n > MAX_MAX_ITEMS) {
    throw invalidParameter(
      'MaxItems',
      value,
      `Member must have value between ${MIN_MAX_ITEMS} and ${MAX_MAX_ITEMS}`
    )
  }
  return n
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function encodeMarker(list: string, lastKey: string): string {
  return Buffer.from(`${list}\n${lastKey}`, 'utf8').toString('base64url')
}

// IAM does not document what it answers to a forged marker; the sandbox
// says InvalidInput so a caller that mangles markers finds out.
function decodeMarker(marker: string, list: string): string {
  const text = Buffer.from(marker, 'base64url').toString('utf8')
  const newline = text.indexOf('\n')
  if (newline < 0 || text.slice(0, newline) !== list) {
    throw new IamError(
      'InvalidInput',
      `Invalid Marker '${marker}': it was not returned by this list call.`
    )
  }
  return text.slice(newline + 1)
}
