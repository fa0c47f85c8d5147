import { ip2long, long2ip } from 'netmask'
import { ADDRESS_BITS, type IpVersion } from './cidr-types.js'

/**
 * Longer than any CIDR can be: the longest, an IPv6 address with a dotted
 * tail and `/128`, has 49 characters. The cap keeps error messages short.
 */
export const MAX_CIDR_TEXT_LENGTH = 64

/** Hex groups in an IPv6 address. */
const IPV6_GROUPS = 8

/** Hex digits in one IPv6 group. */
const MAX_GROUP_DIGITS = 4

/** The highest value of an IPv4 octet. */
const MAX_OCTET = 255

const GENERIC_FIX =
  'write an address such as 192.0.2.10 or 2001:db8::10, or a network such as 192.0.2.0/24'

/**
 * A CIDR that passed the grammar. IPv4 keeps its text, which is safe to hand
 * to netmask now; IPv6 comes expanded to its eight hex groups (six when a
 * dotted IPv4 tail supplies the last 32 bits).
 */
export type CidrSyntax =
  | {
      ok: true
      version: 4
      address: string
      prefix: number
      bare: boolean
    }
  | {
      ok: true
      version: 6
      groups: string[]
      dottedTail: string | undefined
      prefix: number
      bare: boolean
    }
  | SyntaxFault

/** A grammar fault: what is wrong, and a generic way to write it instead. */
export interface SyntaxFault {
  ok: false
  reason: string
  fix: string
}

type AddressSyntax =
  | { ok: true; version: 4; address: string }
  | {
      ok: true
      version: 6
      groups: string[]
      dottedTail: string | undefined
    }
  | SyntaxFault

const fault = (reason: string, fix: string): SyntaxFault => ({
  ok: false,
  reason,
  fix
})

/**
 * Checks `text` against a strict CIDR grammar: dotted decimal IPv4 with four
 * octets and no leading zeros, IPv6 per RFC 4291 section 2.2 without zone
 * ids, and an optional decimal prefix without leading zeros. Anything a
 * lenient parser would guess at is a fault here.
 */
export function checkCidrSyntax(text: string): CidrSyntax {
  if (typeof text !== 'string') {
    return fault(`expected text, got ${typeof text}`, 'quote the value')
  }
  if (text === '') return fault('the text is empty', GENERIC_FIX)
  if (text.length > MAX_CIDR_TEXT_LENGTH) {
    return fault(
      `${text.length} characters is longer than any CIDR (at most ${MAX_CIDR_TEXT_LENGTH})`,
      GENERIC_FIX
    )
  }
  if (/\s/.test(text)) {
    return fault('whitespace is not allowed', 'remove the whitespace')
  }

  const slash = text.indexOf('/')
  if (slash !== -1 && text.indexOf('/', slash + 1) !== -1) {
    return fault(
      'more than one "/"',
      'write one address and one prefix, e.g. 192.0.2.0/24'
    )
  }
  const addressText = slash === -1 ? text : text.slice(0, slash)
  if (addressText === '') return fault('no address before "/"', GENERIC_FIX)

  const address = checkAddressSyntax(addressText)
  if (!address.ok) return address
  const bare = slash === -1
  const prefix = bare
    ? ADDRESS_BITS[address.version]
    : checkPrefix(text.slice(slash + 1), address.version)
  if (typeof prefix !== 'number') return prefix

  // Built field by field: an object spread here costs more than all the
  // checks above.
  return address.version === 4
    ? { ok: true, version: 4, address: address.address, prefix, bare }
    : {
        ok: true,
        version: 6,
        groups: address.groups,
        dottedTail: address.dottedTail,
        prefix,
        bare
      }
}

/** Checks an address without a prefix; see {@link checkCidrSyntax}. */
export function checkAddressSyntax(text: string): AddressSyntax {
  if (text.includes(':')) return checkIpv6(text)
  const ipv4 = checkIpv4(text)
  return ipv4 ?? { ok: true, version: 4, address: text }
}

function checkPrefix(text: string, version: IpVersion): number | SyntaxFault {
  const max = ADDRESS_BITS[version]
  const fix = `use a prefix from /0 to /${max}`

  if (text === '') {
    return fault(
      'nothing after "/"',
      `write a prefix from 0 to ${max} after "/", or drop "/" for a single address`
    )
  }
  // `/-1` and `/-0` are numbers out of range rather than garbage, which is
  // the more useful thing to say about them.
  if (/^-[0-9]+$/.test(text)) {
    return fault(
      `prefix /${text} is out of range for IPv${version} (0-${max})`,
      fix
    )
  }
  if (!/^[0-9]+$/.test(text)) {
    return fault(`prefix "/${text}" is not a decimal number`, fix)
  }
  if (text.length > 1 && text.startsWith('0')) {
    return fault(
      `leading zero in prefix "/${text}"`,
      'write the prefix without leading zeros'
    )
  }

  const prefix = Number(text)
  if (prefix > max) {
    return fault(
      `prefix /${text} is out of range for IPv${version} (0-${max})`,
      fix
    )
  }
  return prefix
}

/** Returns a fault, or undefined when `text` is a strict dotted quad. */
function checkIpv4(text: string): SyntaxFault | undefined {
  const fix = 'write four numbers from 0 to 255 separated by dots'

  if (!/^[0-9.]+$/.test(text)) {
    return fault('not an IPv4 or IPv6 address', GENERIC_FIX)
  }
  const octets = text.split('.')
  if (octets.includes('')) {
    return fault(
      'empty octet (a dot at the start or end, or two in a row)',
      fix
    )
  }
  if (octets.length < 4) {
    return fault(
      `short form with ${octets.length} of 4 octets${lenientReading(text)}`,
      'write all four octets'
    )
  }
  if (octets.length > 4) return fault(`${octets.length} octets, not 4`, fix)

  for (const octet of octets) {
    if (octet.length > 1 && octet.startsWith('0')) {
      return fault(
        `leading zero in octet "${octet}" (some parsers would read it as octal)`,
        'write the octets without leading zeros'
      )
    }
    if (Number(octet) > MAX_OCTET) {
      return fault(
        `octet ${octet} is over ${MAX_OCTET}`,
        `use octets from 0 to ${MAX_OCTET}`
      )
    }
  }
  return undefined
}

/** Shows what a lenient reader makes of a short form, to explain the fault. */
function lenientReading(text: string): string {
  try {
    return ` (some parsers would read it as ${long2ip(ip2long(text))})`
  } catch {
    return ''
  }
}

function checkIpv6(text: string): AddressSyntax {
  const fix = 'write eight groups of 1 to 4 hex digits, with "::" once at most'

  const zone = text.indexOf('%')
  if (zone !== -1) {
    return fault(
      `zone id "${text.slice(zone)}" is not allowed (it names a local interface, not a network)`,
      'drop the zone id'
    )
  }
  const stray = /[^0-9a-fA-F:.]/.exec(text)
  if (stray) {
    return fault(
      `character ${JSON.stringify(stray[0])} is not allowed in an IPv6 address`,
      fix
    )
  }
  const gap = text.indexOf('::')
  if (gap !== -1 && text.indexOf('::', gap + 1) !== -1) {
    return fault(
      'more than one "::"',
      'use "::" once, for one run of zero groups'
    )
  }

  const head = splitGroups(gap === -1 ? text : text.slice(0, gap))
  const tail = gap === -1 ? [] : splitGroups(text.slice(gap + 2))
  if (head.includes('') || tail.includes('')) {
    return fault('empty group (a lone ":" at the start or end)', fix)
  }

  // Only the very last group may be a dotted quad: it stands for 32 bits.
  const last = gap === -1 ? head : tail
  const dottedTail = last.at(-1)?.includes('.') ? last.pop() : undefined
  if (dottedTail !== undefined) {
    const ipv4 = checkIpv4(dottedTail)
    if (ipv4) return fault(`in the dotted IPv4 part, ${ipv4.reason}`, ipv4.fix)
  }
  const misfit = head.find(badGroup) ?? tail.find(badGroup)
  if (misfit?.includes('.')) {
    return fault('a dotted IPv4 part may only end the address', fix)
  }
  if (misfit !== undefined) {
    return fault(
      `group "${misfit}" has more than ${MAX_GROUP_DIGITS} hex digits`,
      fix
    )
  }

  const tailWidth = dottedTail === undefined ? 0 : 2
  const written = head.length + tail.length + tailWidth
  if (gap === -1 && written < IPV6_GROUPS) {
    return fault(`only ${written} of ${IPV6_GROUPS} groups and no "::"`, fix)
  }
  if (gap === -1 && written > IPV6_GROUPS) {
    return fault(`${written} groups, more than ${IPV6_GROUPS}`, fix)
  }
  if (gap !== -1 && written >= IPV6_GROUPS) {
    return fault(
      `${written} groups besides "::", which must stand for at least one`,
      'drop the "::" or a group'
    )
  }

  for (let zeros = IPV6_GROUPS - written; zeros > 0; zeros--) head.push('0')
  for (const group of tail) head.push(group)
  return { ok: true, version: 6, groups: head, dottedTail }
}

function splitGroups(text: string): string[] {
  return text === '' ? [] : text.split(':')
}

function badGroup(group: string): boolean {
  return group.length > MAX_GROUP_DIGITS || group.includes('.')
}
