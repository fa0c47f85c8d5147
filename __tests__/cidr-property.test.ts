import { describe, expect, it } from '@jest/globals'
import { isIP } from 'node:net'
import fc from 'fast-check'
import { excludeCidr, mergeCidr, parseCidr as referenceParse } from 'cidr-tools'
import {
  addressInSet,
  aggregate,
  cidrContains,
  compareCidrs,
  formatAddress,
  formatCidr,
  intersectSets,
  overlaps,
  parseAddress,
  parseCidr,
  parseCidrOrThrow,
  sameAddresses,
  subtractSets,
  type Address,
  type Cidr,
  type IpVersion
} from '../src/cidr.js'

// Random sets are drawn from a few small regions of each address space, with
// long prefixes, so overlaps, nesting and adjacency are the common case; the
// regions sit at both ends of the space and in the middle, where carries and
// edges go wrong. cidr-tools is the independent reference.

const BITS: Record<IpVersion, number> = { 4: 32, 6: 128 }

/** Addresses in one region: 2^REGION_BITS. */
const REGION_BITS = 9

const REGIONS: Record<IpVersion, readonly bigint[]> = {
  4: [0n, 0x0a00_0000n, (1n << 32n) - (1n << BigInt(REGION_BITS))],
  6: [0n, 0x2001_0db8n << 96n, (1n << 128n) - (1n << BigInt(REGION_BITS))]
}

const RUNS = { numRuns: 300 }

function block(version: IpVersion, value: bigint, prefix: number): Cidr {
  const hostBits = BigInt(BITS[version] - prefix)
  return { version, network: (value >> hostBits) << hostBits, prefix }
}

/** Host bits of a region block: mostly few, so gaps stay between blocks. */
const hostBits: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 2 }), weight: 6 },
  { arbitrary: fc.integer({ min: 3, max: 5 }), weight: 3 },
  { arbitrary: fc.integer({ min: 6, max: REGION_BITS }), weight: 1 }
)

/** A block inside one region, from a single address up to the region. */
const regionCidr = (version: IpVersion): fc.Arbitrary<Cidr> =>
  fc
    .tuple(
      fc.constantFrom(...REGIONS[version]),
      fc.bigInt({ min: 0n, max: (1n << BigInt(REGION_BITS)) - 1n }),
      hostBits
    )
    .map(([base, offset, host]) =>
      block(version, base + offset, BITS[version] - host)
    )

/** Any block of the version, mostly wide ones that swallow the regions. */
const anyCidr = (version: IpVersion): fc.Arbitrary<Cidr> =>
  fc
    .tuple(
      fc.bigInt({ min: 0n, max: (1n << BigInt(BITS[version])) - 1n }),
      fc.integer({ min: 0, max: BITS[version] })
    )
    .map(([value, prefix]) => block(version, value, prefix))

const setCidr: fc.Arbitrary<Cidr> = fc.oneof(
  { arbitrary: regionCidr(4), weight: 10 },
  { arbitrary: regionCidr(6), weight: 10 },
  { arbitrary: anyCidr(4), weight: 1 },
  { arbitrary: anyCidr(6), weight: 1 }
)

const cidrSet = fc.array(setCidr, { maxLength: 40, size: 'max' })

const regionAddress = (version: IpVersion): fc.Arbitrary<Address> =>
  fc
    .tuple(
      fc.constantFrom(...REGIONS[version]),
      fc.bigInt({ min: 0n, max: (1n << BigInt(REGION_BITS)) - 1n })
    )
    .map(([base, offset]) => ({ version, value: base + offset }))

const anyAddress = (version: IpVersion): fc.Arbitrary<Address> =>
  fc
    .bigInt({ min: 0n, max: (1n << BigInt(BITS[version])) - 1n })
    .map(value => ({ version, value }))

const probes = fc.array(
  fc.oneof(
    { arbitrary: regionAddress(4), weight: 4 },
    { arbitrary: regionAddress(6), weight: 4 },
    { arbitrary: anyAddress(4), weight: 1 },
    { arbitrary: anyAddress(6), weight: 1 }
  ),
  { minLength: 1, maxLength: 60 }
)

/** Every address of every region, checked outright. */
const REGION_ADDRESSES: Address[] = ([4, 6] as const).flatMap(version =>
  REGIONS[version].flatMap(base =>
    Array.from({ length: 2 ** REGION_BITS }, (_, i) => ({
      version,
      value: base + BigInt(i)
    }))
  )
)

const lastAddress = (cidr: Cidr): bigint =>
  cidr.network + (1n << BigInt(BITS[cidr.version] - cidr.prefix)) - 1n

/** cidr-tools' merge of the same set, read back as sorted CIDRs. */
function referenceMerge(set: readonly Cidr[]): Cidr[] {
  if (set.length === 0) return []
  return mergeCidr(set.map(formatCidr))
    .map(text => parseCidrOrThrow(text))
    .sort(compareCidrs)
}

function referenceExclude(a: readonly Cidr[], b: readonly Cidr[]): Cidr[] {
  if (a.length === 0) return []
  if (b.length === 0) return referenceMerge(a)
  return excludeCidr(a.map(formatCidr), b.map(formatCidr))
    .map(text => parseCidrOrThrow(text))
    .sort(compareCidrs)
}

describe('aggregate (property)', () => {
  it('matches cidr-tools merge', () => {
    fc.assert(
      fc.property(cidrSet, set => {
        expect(aggregate(set)).toEqual(referenceMerge(set))
      }),
      RUNS
    )
  })

  it('is idempotent', () => {
    fc.assert(
      fc.property(cidrSet, set => {
        const once = aggregate(set)
        expect(aggregate(once)).toEqual(once)
      }),
      RUNS
    )
  })

  it('does not depend on input order or duplicates', () => {
    const shuffled = cidrSet.chain(set =>
      fc.tuple(
        fc.constant(set),
        fc.shuffledSubarray([...set, ...set], {
          minLength: set.length * 2,
          maxLength: set.length * 2
        })
      )
    )
    fc.assert(
      fc.property(shuffled, ([set, reordered]) => {
        expect(aggregate(reordered)).toEqual(aggregate(set))
      }),
      RUNS
    )
  })

  it('covers exactly the addresses of its input', () => {
    fc.assert(
      fc.property(cidrSet, probes, (set, probe) => {
        const merged = aggregate(set)
        const wrong = [...probe, ...REGION_ADDRESSES].filter(
          address =>
            addressInSet(address, merged) !== addressInSet(address, set)
        )
        expect(wrong.map(formatAddress)).toEqual([])
      }),
      { numRuns: 100 }
    )
  })

  it('returns sorted, aligned blocks with no overlapping or mergeable neighbours', () => {
    fc.assert(
      fc.property(cidrSet, set => {
        const merged = aggregate(set)
        for (const cidr of merged) {
          expect(parseCidr(formatCidr(cidr)).ok).toBe(true)
        }
        for (let i = 1; i < merged.length; i++) {
          const [a, b] = [merged[i - 1], merged[i]]
          expect(compareCidrs(a, b)).toBeLessThan(0)
          if (a.version !== b.version) continue

          expect(lastAddress(a)).toBeLessThan(b.network)
          const size = 1n << BigInt(BITS[a.version] - a.prefix)
          const siblings =
            a.prefix === b.prefix &&
            a.prefix > 0 &&
            a.network % (size * 2n) === 0n &&
            b.network === a.network + size
          expect(siblings).toBe(false)
        }
      }),
      RUNS
    )
  })
})

describe('set operations (property)', () => {
  it('intersectSets and subtractSets agree with membership', () => {
    fc.assert(
      fc.property(cidrSet, cidrSet, probes, (a, b, probe) => {
        const both = intersectSets(a, b)
        const only = subtractSets(a, b)
        expect(aggregate(both)).toEqual(both)
        expect(aggregate(only)).toEqual(only)

        const wrong = [...probe, ...REGION_ADDRESSES].filter(address => {
          const inA = addressInSet(address, a)
          const inB = addressInSet(address, b)
          return (
            addressInSet(address, both) !== (inA && inB) ||
            addressInSet(address, only) !== (inA && !inB)
          )
        })
        expect(wrong.map(formatAddress)).toEqual([])
      }),
      { numRuns: 100 }
    )
  })

  it('subtractSets matches cidr-tools exclude', () => {
    fc.assert(
      fc.property(cidrSet, cidrSet, (a, b) => {
        expect(subtractSets(a, b)).toEqual(referenceExclude(a, b))
      }),
      RUNS
    )
  })

  it('sameAddresses holds after a split and fails after an addition', () => {
    fc.assert(
      fc.property(cidrSet, setCidr, (set, extra) => {
        const split = set.flatMap(cidr =>
          cidr.prefix < BITS[cidr.version]
            ? [
                { ...cidr, prefix: cidr.prefix + 1 },
                {
                  ...cidr,
                  network:
                    cidr.network +
                    (1n << BigInt(BITS[cidr.version] - cidr.prefix - 1)),
                  prefix: cidr.prefix + 1
                }
              ]
            : [cidr]
        )
        expect(sameAddresses(set, split)).toBe(true)

        const covered = subtractSets([extra], set).length === 0
        expect(sameAddresses(set, [...set, extra])).toBe(covered)
      }),
      RUNS
    )
  })

  it('cidrContains and overlaps agree with the set operations', () => {
    fc.assert(
      fc.property(setCidr, setCidr, (a, b) => {
        expect(cidrContains(a, b)).toBe(subtractSets([b], [a]).length === 0)
        expect(overlaps(a, b)).toBe(intersectSets([a], [b]).length > 0)
      }),
      RUNS
    )
  })
})

describe('text (property)', () => {
  const cidr = fc.oneof(anyCidr(4), anyCidr(6), regionCidr(4), regionCidr(6))

  it('format then parse gives the same block back', () => {
    fc.assert(
      fc.property(cidr, value => {
        const text = formatCidr(value)
        const parsed = parseCidr(text)
        expect(parsed).toEqual({ ok: true, cidr: value, bare: false })
        if (parsed.ok) expect(formatCidr(parsed.cidr)).toBe(text)
      }),
      RUNS
    )
  })

  it('formats addresses as the WHATWG URL parser does', () => {
    // URL hosts follow the same rules as RFC 5952 section 4, and accept a
    // 32-bit decimal number as an IPv4 host.
    const address = fc.oneof(
      anyAddress(4),
      anyAddress(6),
      regionAddress(6),
      sparseIpv6
    )
    fc.assert(
      fc.property(address, value => {
        const host =
          value.version === 4
            ? new URL(`http://${value.value}/`).hostname
            : new URL(`http://[${formatAddress(value)}]/`).hostname.slice(1, -1)
        expect(formatAddress(value)).toBe(host)
        expect(parseAddress(formatAddress(value))).toEqual(value)
      }),
      RUNS
    )
  })

  it('reads every valid IPv6 spelling to the value cidr-tools reads', () => {
    fc.assert(
      fc.property(fc.ipV6(), text => {
        const parsed = parseAddress(text)
        expect(parsed).toEqual({
          version: 6,
          value: referenceParse(text).start
        })
      }),
      RUNS
    )
  })

  it('reads spellings with any case, padding and "::" position alike', () => {
    fc.assert(
      fc.property(sparseIpv6, spelling, (value, style) => {
        expect(parseAddress(spell(value.value, style))).toEqual(value)
      }),
      RUNS
    )
  })

  it('accepts exactly the addresses that node:net accepts', () => {
    // node:net allows zone ids, which a policy may not hold; no generated
    // text contains "%".
    fc.assert(
      fc.property(addressLike, text => {
        expect(parseAddress(text) !== undefined).toBe(isIP(text) !== 0)
      }),
      { numRuns: 2000 }
    )
  })

  it('refuses the lenient IPv4 forms that are not plain dotted decimal', () => {
    fc.assert(
      fc.property(fc.ipV4Extended(), text => {
        const plain = isIP(text) === 4
        expect(parseCidr(text).ok).toBe(plain)
      }),
      RUNS
    )
  })
})

/** IPv6 values with runs of zero groups, where compression decides. */
const sparseIpv6: fc.Arbitrary<Address> = fc
  .array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
    minLength: 8,
    maxLength: 8
  })
  .map(groups => ({
    version: 6,
    value: groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n)
  }))

interface Spelling {
  upper: boolean[]
  pad: number[]
  gapAt: number
  gapLength: number
}

const spelling: fc.Arbitrary<Spelling> = fc.record({
  upper: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  pad: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 8, maxLength: 8 }),
  gapAt: fc.integer({ min: 0, max: 7 }),
  gapLength: fc.integer({ min: 0, max: 8 })
})

/** Writes the value with the given case and padding, and `::` where the groups allow. */
function spell(value: bigint, style: Spelling): string {
  const groups = Array.from({ length: 8 }, (_, i) =>
    Number((value >> BigInt(112 - 16 * i)) & 0xffffn)
  )
  const text = groups.map((group, i) => {
    const hex = group.toString(16).padStart(style.pad[i], '0')
    return style.upper[i] ? hex.toUpperCase() : hex
  })

  let length = 0
  while (
    length < style.gapLength &&
    style.gapAt + length < 8 &&
    groups[style.gapAt + length] === 0
  ) {
    length++
  }
  if (length === 0) return text.join(':')
  const head = text.slice(0, style.gapAt).join(':')
  const tail = text.slice(style.gapAt + length).join(':')
  return `${head}::${tail}`
}

/** Text near the address grammar: valid addresses with a slip, or noise. */
const addressLike: fc.Arbitrary<string> = fc.oneof(
  fc.string({
    unit: fc.constantFrom(...'0123456789abcdefABCDEF:.'.split('')),
    maxLength: 20
  }),
  fc
    .tuple(
      fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended()),
      fc.nat(50),
      fc.constantFrom('', ':', '.', '0', '00', '1', 'f', '::', '256', 'ffff0'),
      fc.nat(3)
    )
    .map(([text, at, insert, remove]) => {
      const cut = at % (text.length + 1)
      return text.slice(0, cut) + insert + text.slice(cut + remove)
    })
)
