/** A source of numbers in [0, 1), replayable from its seed. */
export type Random = () => number

/**
 * mulberry32: small, fast and good enough to decide whether a fault fires.
 * The same seed always yields the same sequence.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
const ID_SUFFIX_CHARS = 17

/** An IAM unique id: a four-letter kind prefix and 17 random characters. */
export function uniqueId(prefix: string, random: Random): string {
  let id = prefix
  for (let i = 0; i < ID_SUFFIX_CHARS; i++) {
    id += ID_ALPHABET[Math.floor(random() * ID_ALPHABET.length)]
  }
  return id
}
