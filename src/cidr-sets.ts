import { ADDRESS_BITS, type Cidr, type IpVersion } from './cidr-types.js'

// Sets of CIDRs as arithmetic on address ranges: each set becomes sorted,
// disjoint [start, end] ranges per version, and a range becomes CIDRs again by
// cutting the largest aligned block off its start until nothing is left. The
// blocks of a set of addresses are unique, so the result is the minimal set.

/** Addresses in an IPv4 block, indexed by prefix. */
const V4_BLOCK_SIZE = Array.from({ length: 33 }, (_, p) => 2 ** (32 - p))

/** Addresses in an IPv6 block, indexed by prefix. */
const V6_BLOCK_SIZE = Array.from(
  { length: 129 },
  (_, p) => 1n << BigInt(128 - p)
)

/** The number of IPv4 addresses; larger than any IPv4 range length but one. */
const V4_SPACE = 2 ** 32

/**
 * IPv4 sort keys are `start * V4_KEY_SCALE + prefix`: the prefix fits in 6
 * bits and the key stays below 2^38, exact in a double, so one native sort of
 * a Float64Array orders by start, then prefix.
 */
const V4_KEY_SCALE = 64

type Range = { start: bigint; end: bigint }

/**
 * Merges overlapping and adjacent CIDRs into the minimal equivalent set,
 * IPv4 ascending before IPv6 ascending.
 */
export function aggregate(cidrs: readonly Cidr[]): Cidr[] {
  const v4: Cidr[] = []
  const v6: Cidr[] = []
  for (const cidr of cidrs) (cidr.version === 4 ? v4 : v6).push(cidr)

  const out: Cidr[] = []
  aggregateV4(v4, out)
  aggregateV6(v6, out)
  return out
}

/** The addresses in both `a` and `b`, aggregated. */
export function intersectSets(a: readonly Cidr[], b: readonly Cidr[]): Cidr[] {
  const out: Cidr[] = []
  for (const version of [4, 6] as const) {
    const left = mergedRanges(a, version)
    const right = mergedRanges(b, version)

    let i = 0
    let j = 0
    while (i < left.length && j < right.length) {
      const start = max(left[i].start, right[j].start)
      const end = min(left[i].end, right[j].end)
      if (start <= end) splitRange(version, start, end, out)

      // The range that ends first can meet nothing further on the other side.
      if (left[i].end < right[j].end) i++
      else j++
    }
  }
  return out
}

/** The addresses in `a` that are not in `b`, aggregated. */
export function subtractSets(a: readonly Cidr[], b: readonly Cidr[]): Cidr[] {
  const out: Cidr[] = []
  for (const version of [4, 6] as const) {
    const removed = mergedRanges(b, version)

    let j = 0
    for (const { start, end } of mergedRanges(a, version)) {
      while (j < removed.length && removed[j].end < start) j++

      // Walk the holes inside this range; the last hole may reach into the
      // next range, so `j` stays on it.
      let from = start
      let k = j
      while (from <= end && k < removed.length && removed[k].start <= end) {
        if (removed[k].start > from) {
          splitRange(version, from, removed[k].start - 1n, out)
        }
        if (removed[k].end + 1n > from) from = removed[k].end + 1n
        k++
      }
      if (from <= end) splitRange(version, from, end, out)
      j = Math.max(j, k - 1)
    }
  }
  return out
}

/** Whether the two sets hold exactly the same addresses. */
export function sameAddresses(a: readonly Cidr[], b: readonly Cidr[]): boolean {
  const left = aggregate(a)
  const right = aggregate(b)
  return (
    left.length === right.length &&
    left.every(
      (cidr, i) =>
        cidr.version === right[i].version &&
        cidr.network === right[i].network &&
        cidr.prefix === right[i].prefix
    )
  )
}

// IPv4 runs on doubles: a 32-bit address is exact in one, and this keeps
// BigInt out of the sort and the merge loop, which are the bulk of the work.
function aggregateV4(cidrs: readonly Cidr[], out: Cidr[]): void {
  if (cidrs.length === 0) return

  const keys = new Float64Array(cidrs.length)
  for (let i = 0; i < cidrs.length; i++) {
    const { network, prefix } = cidrs[i]
    const size = V4_BLOCK_SIZE[prefix]
    const raw = Number(network)
    keys[i] = (raw - (raw % size)) * V4_KEY_SCALE + prefix
  }
  keys.sort()

  let start = -1
  let end = -1
  // The prefix of the block that opened the current range while the range is
  // still exactly that block (later blocks nested inside it), else -1.
  let whole = -1
  for (let i = 0; i < keys.length; i++) {
    const prefix = keys[i] % V4_KEY_SCALE
    const blockStart = (keys[i] - prefix) / V4_KEY_SCALE
    const blockEnd = blockStart + V4_BLOCK_SIZE[prefix] - 1

    if (start !== -1 && blockStart <= end + 1) {
      if (blockEnd > end) {
        end = blockEnd
        whole = -1
      }
      continue
    }
    if (start !== -1) emitV4(start, end, whole, out)
    start = blockStart
    end = blockEnd
    whole = prefix
  }
  emitV4(start, end, whole, out)
}

function emitV4(start: number, end: number, whole: number, out: Cidr[]): void {
  if (whole !== -1) {
    out.push({ version: 4, network: BigInt(start), prefix: whole })
    return
  }

  while (start <= end) {
    const length = end - start + 1
    let hostBits = length >= V4_SPACE ? 32 : 31 - Math.clz32(length)
    if (start !== 0) {
      // `start & -start` is the lowest set bit, which bounds the alignment;
      // the int32 wrap of both operands leaves the low bits intact.
      const alignment = 31 - Math.clz32((start & -start) >>> 0)
      if (alignment < hostBits) hostBits = alignment
    }
    out.push({ version: 4, network: BigInt(start), prefix: 32 - hostBits })
    start += V4_BLOCK_SIZE[32 - hostBits]
  }
}

function aggregateV6(cidrs: readonly Cidr[], out: Cidr[]): void {
  if (cidrs.length === 0) return

  const blocks = cidrs.map(({ network, prefix }) => ({
    start: network - (network % V6_BLOCK_SIZE[prefix]),
    prefix
  }))
  blocks.sort((a, b) =>
    a.start < b.start ? -1 : a.start > b.start ? 1 : a.prefix - b.prefix
  )

  let start = blocks[0].start
  let end = start + V6_BLOCK_SIZE[blocks[0].prefix] - 1n
  let whole = blocks[0].prefix
  for (let i = 1; i < blocks.length; i++) {
    const block = blocks[i]
    const blockEnd = block.start + V6_BLOCK_SIZE[block.prefix] - 1n

    if (block.start <= end + 1n) {
      if (blockEnd > end) {
        end = blockEnd
        whole = -1
      }
      continue
    }
    emitV6(start, end, whole, out)
    start = block.start
    end = blockEnd
    whole = block.prefix
  }
  emitV6(start, end, whole, out)
}

function emitV6(start: bigint, end: bigint, whole: number, out: Cidr[]): void {
  if (whole === -1) splitRange(6, start, end, out)
  else out.push({ version: 6, network: start, prefix: whole })
}

/** Sorted, disjoint, non-adjacent ranges of one version of a set. */
function mergedRanges(cidrs: readonly Cidr[], version: IpVersion): Range[] {
  const bits = BigInt(ADDRESS_BITS[version])
  const ranges = cidrs
    .filter(cidr => cidr.version === version)
    .map(({ network, prefix }) => {
      const size = 1n << (bits - BigInt(prefix))
      const start = network - (network % size)
      return { start, end: start + size - 1n }
    })
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))

  const merged: Range[] = []
  for (const range of ranges) {
    const last = merged.at(-1)
    if (last && range.start <= last.end + 1n) {
      if (range.end > last.end) last.end = range.end
    } else {
      merged.push(range)
    }
  }
  return merged
}

/** Appends the minimal aligned blocks that cover [start, end] exactly. */
function splitRange(
  version: IpVersion,
  start: bigint,
  end: bigint,
  out: Cidr[]
): void {
  const bits = ADDRESS_BITS[version]
  while (start <= end) {
    let hostBits = bitLength(end - start + 1n) - 1
    if (start !== 0n) {
      const alignment = bitLength(start & -start) - 1
      if (alignment < hostBits) hostBits = alignment
    }
    out.push({ version, network: start, prefix: bits - hostBits })
    start += 1n << BigInt(hostBits)
  }
}

/** Bits needed to write a positive integer: 1 for 1, 129 for 2^128. */
function bitLength(value: bigint): number {
  let length = 0
  while (value >= 0x1_0000_0000n) {
    value >>= 32n
    length += 32
  }
  return length + 32 - Math.clz32(Number(value))
}

const max = (a: bigint, b: bigint): bigint => (a > b ? a : b)
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b)
