import { ip2long } from 'netmask'
import { checkAddressSyntax, checkCidrSyntax } from './cidr-syntax.js'
import {
  ADDRESS_BITS,
  type Address,
  type Cidr,
  type CidrParse,
  type IpVersion
} from './cidr-types.js'

// CIDR arithmetic for allowlists: strict parsing, canonical text, and set
// operations. netmask reads the dotted quads (IPv4, and the dotted tail of an
// IPv6 address) only after the strict grammar in cidr-syntax.ts has accepted
// them, because on its own it reads `010.0.0.1` as octal, expands `216.240`
// to 216.0.0.240 and clears host bits without a word. netmask 2.1.1 parses
// IPv6 too, but its Netmask class exposes no number for an IPv6 block
// (`netLong` is 0) and it drops zone ids silently, so the hex groups that the
// grammar has checked are read here.

export type { Address, Cidr, CidrParse, IpVersion } from './cidr-types.js'
export {
  aggregate,
  intersectSets,
  sameAddresses,
  subtractSets
} from './cidr-sets.js'

/** Host-bit masks, indexed by version, then prefix. */
const HOST_MASK: Readonly<Record<IpVersion, readonly bigint[]>> = {
  4: hostMasks(32),
  6: hostMasks(128)
}

/** Network-bit masks, the complements of {@link HOST_MASK}. */
const NETWORK_MASK: Readonly<Record<IpVersion, readonly bigint[]>> = {
  4: HOST_MASK[4].map(mask => mask ^ 0xffff_ffffn),
  6: HOST_MASK[6].map(mask => mask ^ ((1n << 128n) - 1n))
}

/**
 * Reads one CIDR strictly. A bare address is a /32 or /128 block; a block with
 * host bits set is refused, naming both forms its author may have meant.
 */
export function parseCidr(text: string): CidrParse {
  const parsed = readCidr(text)
  if (parsed.ok || parsed.hostBits) return parsed

  // Offer a literal correction when dropping whitespace, a zone id or leading
  // zeros is all it takes; otherwise keep the grammar's general advice.
  const corrected = mechanicalCorrection(text)
  if (corrected !== text && readCidr(corrected).ok) {
    return { ...parsed, fix: `write ${corrected}` }
  }
  return parsed
}

/** Reads one address strictly: the grammar of {@link parseCidr}, no prefix. */
export function parseAddress(text: string): Address | undefined {
  if (typeof text !== 'string') return undefined
  const syntax = checkAddressSyntax(text)
  if (!syntax.ok) return undefined
  return syntax.version === 4
    ? { version: 4, value: BigInt(ip2long(syntax.address)) }
    : { version: 6, value: ipv6Value(syntax.groups, syntax.dottedTail) }
}

/** Parses a CIDR known to be valid, throwing with the reason otherwise. */
export function parseCidrOrThrow(text: string): Cidr {
  const parsed = parseCidr(text)
  if (parsed.ok) return parsed.cidr
  const fix = parsed.fix === undefined ? '' : `; ${parsed.fix}`
  throw new Error(`invalid CIDR "${text}": ${parsed.reason}${fix}`)
}

/** Canonical text: dotted decimal or RFC 5952, always with a prefix. */
export function formatCidr(cidr: Cidr): string {
  return `${formatAddress({ version: cidr.version, value: cidr.network })}/${cidr.prefix}`
}

/**
 * Canonical text of an address: dotted decimal for IPv4; for IPv6 lower-case
 * hex without leading zeros, the longest run of two or more zero groups (the
 * leftmost on a tie) written as `::` (RFC 5952 section 4).
 */
export function formatAddress(address: Address): string {
  if (address.version === 4) {
    const n = Number(address.value)
    return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`
  }

  const groups: number[] = []
  for (let shift = 96n; shift >= 0n; shift -= 32n) {
    const word = Number(BigInt.asUintN(32, address.value >> shift))
    groups.push(word >>> 16, word & 0xffff)
  }

  let runStart = -1
  let runLength = 1
  for (let i = 0; i < groups.length; i++) {
    let j = i
    while (j < groups.length && groups[j] === 0) j++
    if (j - i > runLength) {
      runStart = i
      runLength = j - i
    }
    i = j
  }

  const hex = groups.map(group => group.toString(16))
  if (runStart === -1) return hex.join(':')
  const head = hex.slice(0, runStart).join(':')
  const tail = hex.slice(runStart + runLength).join(':')
  return `${head}::${tail}`
}

/** Orders IPv4 before IPv6, then by network, then shorter prefix first. */
export function compareCidrs(a: Cidr, b: Cidr): number {
  if (a.version !== b.version) return a.version - b.version
  if (a.network !== b.network) return a.network < b.network ? -1 : 1
  return a.prefix - b.prefix
}

/** Whether every address of `inner` is in `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return (
    outer.version === inner.version &&
    outer.prefix <= inner.prefix &&
    withinBlock(inner.network, outer)
  )
}

/** Whether the address lies in the block. */
export function addressInCidr(address: Address, cidr: Cidr): boolean {
  return address.version === cidr.version && withinBlock(address.value, cidr)
}

/** Whether the address lies in any block of the set. */
export function addressInSet(address: Address, set: readonly Cidr[]): boolean {
  return set.some(cidr => addressInCidr(address, cidr))
}

/** Whether the two blocks share an address (one then holds the other). */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a)
}

/** Whether the block is every address of its version: 0.0.0.0/0 or ::/0. */
export function isUniversal(cidr: Cidr): boolean {
  return cidr.prefix === 0
}

/** The address ranges that never appear as the source of an internet call. */
/** Kinds of ranges an internet request never comes from. */
export type NonInternetKind =
  | 'private'
  | 'shared'
  | 'this-network'
  | 'loopback'
  | 'link-local'
  | 'unique-local'
  | 'ipv4-mapped-private'

const NON_INTERNET_RANGES: ReadonlyArray<{
  kind: NonInternetKind
  cidr: Cidr
}> = [
  { kind: 'private', cidr: parseCidrOrThrow('10.0.0.0/8') },
  { kind: 'private', cidr: parseCidrOrThrow('172.16.0.0/12') },
  { kind: 'private', cidr: parseCidrOrThrow('192.168.0.0/16') },
  { kind: 'loopback', cidr: parseCidrOrThrow('127.0.0.0/8') },
  { kind: 'loopback', cidr: parseCidrOrThrow('::1/128') },
  { kind: 'link-local', cidr: parseCidrOrThrow('169.254.0.0/16') },
  { kind: 'link-local', cidr: parseCidrOrThrow('fe80::/10') },
  { kind: 'unique-local', cidr: parseCidrOrThrow('fc00::/7') },
  // Carrier-grade NAT (RFC 6598): inside a provider's network only.
  { kind: 'shared', cidr: parseCidrOrThrow('100.64.0.0/10') },
  // "This network" (RFC 791): never a source on the internet.
  { kind: 'this-network', cidr: parseCidrOrThrow('0.0.0.0/8') },
  {
    kind: 'ipv4-mapped-private',
    cidr: parseCidrOrThrow('::ffff:10.0.0.0/104')
  },
  {
    kind: 'ipv4-mapped-private',
    cidr: parseCidrOrThrow('::ffff:172.16.0.0/108')
  },
  {
    kind: 'ipv4-mapped-private',
    cidr: parseCidrOrThrow('::ffff:192.168.0.0/112')
  },
  {
    kind: 'ipv4-mapped-private',
    cidr: parseCidrOrThrow('::ffff:127.0.0.0/104')
  }
]

/**
 * Names the private, shared (carrier-grade NAT), "this network", loopback,
 * link-local, unique-local or IPv4-mapped private range that holds the
 * whole block, since `aws:SourceIp` of an internet call never falls in
 * one. Documentation ranges such as 192.0.2.0/24 are not flagged: examples
 * use them on purpose.
 */
export function nonInternetRange(
  cidr: Cidr
): { kind: NonInternetKind; range: string } | undefined {
  const hit = NON_INTERNET_RANGES.find(range => cidrContains(range.cidr, cidr))
  return hit && { kind: hit.kind, range: formatCidr(hit.cidr) }
}

function readCidr(text: string): CidrParse {
  const syntax = checkCidrSyntax(text)
  if (!syntax.ok) return { ok: false, reason: syntax.reason, fix: syntax.fix }

  const { version, prefix, bare } = syntax
  const value =
    syntax.version === 4
      ? BigInt(ip2long(syntax.address))
      : ipv6Value(syntax.groups, syntax.dottedTail)
  const hostBits = value & HOST_MASK[version][prefix]
  if (hostBits === 0n) {
    return { ok: true, cidr: { version, network: value, prefix }, bare }
  }

  const network: Cidr = { version, network: value - hostBits, prefix }
  const address: Cidr = {
    version,
    network: value,
    prefix: ADDRESS_BITS[version]
  }
  const given = `${formatAddress({ version, value })}/${prefix}`
  return {
    ok: false,
    reason: `host bits are set: the network of ${given} is ${formatCidr(network)}`,
    fix: `write ${formatCidr(network)} for the whole network or ${formatCidr(address)} for the single address`,
    hostBits: { network, address }
  }
}

/** The value of eight checked hex groups, or six and a checked dotted quad. */
function ipv6Value(groups: string[], dottedTail: string | undefined): bigint {
  const words: number[] = []
  for (let i = 0; i < groups.length; i += 2) {
    words.push(parseInt(groups[i], 16) * 0x1_0000 + parseInt(groups[i + 1], 16))
  }
  if (dottedTail !== undefined) words.push(ip2long(dottedTail))

  return (
    (BigInt(words[0]) << 96n) |
    (BigInt(words[1]) << 64n) |
    (BigInt(words[2]) << 32n) |
    BigInt(words[3])
  )
}

/**
 * The text with whitespace, a zone id and leading zeros of decimal numbers
 * removed: the slips a reader can undo without guessing at intent.
 */
function mechanicalCorrection(text: string): string {
  if (typeof text !== 'string') return text
  return text
    .replace(/\s+/g, '')
    .replace(/%[^/]*/, '')
    .replace(/(^|[.:/])0+(?=[0-9]+(?:[./]|$))/g, '$1')
}

function withinBlock(value: bigint, cidr: Cidr): boolean {
  return (value & NETWORK_MASK[cidr.version][cidr.prefix]) === cidr.network
}

function hostMasks(bits: number): bigint[] {
  return Array.from(
    { length: bits + 1 },
    (_, prefix) => (1n << BigInt(bits - prefix)) - 1n
  )
}
