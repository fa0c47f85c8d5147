import { describe, expect, it } from '@jest/globals'
import {
  addressInCidr,
  addressInSet,
  aggregate,
  cidrContains,
  compareCidrs,
  formatAddress,
  formatCidr,
  intersectSets,
  isUniversal,
  nonInternetRange,
  overlaps,
  parseAddress,
  parseCidr,
  parseCidrOrThrow,
  sameAddresses,
  subtractSets,
  type Address,
  type Cidr
} from '../src/cidr.js'

const cidr = parseCidrOrThrow
const cidrs = (...texts: string[]): Cidr[] => texts.map(cidr)
const texts = (list: readonly Cidr[]): string[] => list.map(formatCidr)
const address = (text: string): Address => {
  const parsed = parseAddress(text)
  if (!parsed) throw new Error(`test address ${text} does not parse`)
  return parsed
}

/** The reason and fix parseCidr gives, or the canonical text on success. */
function outcome(text: string): string | { reason: string; fix?: string } {
  const parsed = parseCidr(text)
  return parsed.ok
    ? formatCidr(parsed.cidr)
    : { reason: parsed.reason, fix: parsed.fix }
}

describe('parseCidr accepts', () => {
  it.each([
    ['192.0.2.0/24', '192.0.2.0/24'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['255.255.255.255/32', '255.255.255.255/32'],
    ['203.0.113.7', '203.0.113.7/32'],
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1/128'],
    ['2001:db8::1', '2001:db8::1/128'],
    ['::/0', '::/0'],
    ['::', '::/128'],
    ['::1', '::1/128'],
    ['1::', '1::/128'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0/128'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8/128'],
    ['fe80::/10', 'fe80::/10'],
    ['::ffff:192.0.2.1', '::ffff:c000:201/128'],
    ['::ffff:192.0.2.0/120', '::ffff:c000:200/120'],
    ['64:ff9b::203.0.113.5', '64:ff9b::cb00:7105/128'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304/128']
  ])('%s as %s', (text, canonical) => {
    expect(outcome(text)).toBe(canonical)
  })

  it('reports whether the text had a prefix', () => {
    expect(parseCidr('192.0.2.1')).toMatchObject({ ok: true, bare: true })
    expect(parseCidr('192.0.2.1/32')).toMatchObject({ ok: true, bare: false })
    expect(parseCidr('2001:db8::1')).toMatchObject({ ok: true, bare: true })
  })

  it('reads values exactly', () => {
    expect(cidr('255.255.255.255/32').network).toBe(0xffff_ffffn)
    expect(cidr('128.0.0.0/1')).toEqual({
      version: 4,
      network: 0x8000_0000n,
      prefix: 1
    })
    expect(cidr('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff').network).toBe(
      (1n << 128n) - 1n
    )
    expect(cidr('::ffff:192.0.2.1').network).toBe(0xffff_c000_0201n)
  })
})

describe('parseCidr refuses', () => {
  it.each([
    ['256.1.1.1', 'octet 256 is over 255'],
    ['1.2.3.999/32', 'octet 999 is over 255'],
    [
      '010.0.0.1',
      'leading zero in octet "010" (some parsers would read it as octal)'
    ],
    [
      '192.168.01.0/24',
      'leading zero in octet "01" (some parsers would read it as octal)'
    ],
    [
      '216.240',
      'short form with 2 of 4 octets (some parsers would read it as 216.0.0.240)'
    ],
    [
      '10',
      'short form with 1 of 4 octets (some parsers would read it as 0.0.0.10)'
    ],
    ['1.2.3.4.5', '5 octets, not 4'],
    ['1..2.3', 'empty octet (a dot at the start or end, or two in a row)'],
    ['1.2.3.4.', 'empty octet (a dot at the start or end, or two in a row)'],
    ['192.0.2.0/33', 'prefix /33 is out of range for IPv4 (0-32)'],
    ['192.0.2.0/-1', 'prefix /-1 is out of range for IPv4 (0-32)'],
    ['0.0.0.0/-0', 'prefix /-0 is out of range for IPv4 (0-32)'],
    ['2001:db8::/129', 'prefix /129 is out of range for IPv6 (0-128)'],
    ['10.0.0.0/08', 'leading zero in prefix "/08"'],
    ['10.0.0.0/+8', 'prefix "/+8" is not a decimal number'],
    ['10.0.0.0/8a', 'prefix "/8a" is not a decimal number'],
    ['10.0.0.0/', 'nothing after "/"'],
    ['10.0.0.0/8/8', 'more than one "/"'],
    ['/8', 'no address before "/"'],
    ['', 'the text is empty'],
    ['garbage', 'not an IPv4 or IPv6 address'],
    ['example.com', 'not an IPv4 or IPv6 address'],
    ['0x0a.0.0.1', 'not an IPv4 or IPv6 address'],
    ['10.0.0.1 ', 'whitespace is not allowed'],
    ['10.0.0.0 /8', 'whitespace is not allowed'],
    ['10.0.0.0/\t8', 'whitespace is not allowed'],
    ['1::2::3', 'more than one "::"'],
    ['1:::2', 'more than one "::"'],
    ['12345::1', 'group "12345" has more than 4 hex digits'],
    ['2001:db8::g', 'character "g" is not allowed in an IPv6 address'],
    [
      'fe80::1%eth0',
      'zone id "%eth0" is not allowed (it names a local interface, not a network)'
    ],
    ['1:2:3:4:5:6:7', 'only 7 of 8 groups and no "::"'],
    ['1:2:3:4:5:6:7:8:9', '9 groups, more than 8'],
    [
      '1:2:3:4::5:6:7:8',
      '8 groups besides "::", which must stand for at least one'
    ],
    [':1:2:3:4:5:6:7', 'empty group (a lone ":" at the start or end)'],
    ['1::2:', 'empty group (a lone ":" at the start or end)'],
    ['1.2.3.4::', 'a dotted IPv4 part may only end the address'],
    [
      '::ffff:010.0.0.1',
      'in the dotted IPv4 part, leading zero in octet "010" (some parsers would read it as octal)'
    ],
    ['::ffff:1.2.3.256', 'in the dotted IPv4 part, octet 256 is over 255'],
    ['1:2:3:4:5:6:7:1.2.3.4', '9 groups, more than 8'],
    ['x'.repeat(65), '65 characters is longer than any CIDR (at most 64)']
  ])('%j: %s', (text, reason) => {
    const parsed = parseCidr(text)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.reason).toBe(reason)
  })

  it('refuses text that is not a string', () => {
    const parsed = parseCidr(10 as unknown as string)
    expect(parsed).toMatchObject({
      ok: false,
      reason: 'expected text, got number'
    })
  })

  it('offers the literal correction when one is unambiguous', () => {
    expect(outcome('010.0.0.1')).toMatchObject({ fix: 'write 10.0.0.1' })
    expect(outcome(' 192.0.2.1 ')).toMatchObject({ fix: 'write 192.0.2.1' })
    expect(outcome('fe80::1%eth0')).toMatchObject({ fix: 'write fe80::1' })
    expect(outcome('192.0.2.0/024')).toMatchObject({
      fix: 'write 192.0.2.0/24'
    })
    expect(outcome('::ffff:010.0.0.1')).toMatchObject({
      fix: 'write ::ffff:10.0.0.1'
    })
  })

  it('falls back to general advice when the correction is not valid either', () => {
    // 10.0.0.0/8 after dropping the zero of /08 is fine, but 1.2.3.0/8 has
    // host bits, so no literal text is offered.
    expect(outcome('1.2.3.0/08')).toEqual({
      reason: 'leading zero in prefix "/08"',
      fix: 'write the prefix without leading zeros'
    })
    expect(outcome('216.240')).toMatchObject({ fix: 'write all four octets' })
    expect(outcome('1.2.3.4/33')).toMatchObject({
      fix: 'use a prefix from /0 to /32'
    })
  })

  it('names both meanings when host bits are set', () => {
    const parsed = parseCidr('192.0.2.5/24')
    expect(parsed).toEqual({
      ok: false,
      reason: 'host bits are set: the network of 192.0.2.5/24 is 192.0.2.0/24',
      fix: 'write 192.0.2.0/24 for the whole network or 192.0.2.5/32 for the single address',
      hostBits: {
        network: cidr('192.0.2.0/24'),
        address: cidr('192.0.2.5/32')
      }
    })
  })

  it('names both meanings for IPv6 host bits, in canonical form', () => {
    const parsed = parseCidr('2001:DB8::1/32')
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.reason).toBe(
      'host bits are set: the network of 2001:db8::1/32 is 2001:db8::/32'
    )
    expect(parsed.fix).toBe(
      'write 2001:db8::/32 for the whole network or 2001:db8::1/128 for the single address'
    )
    expect(parsed.hostBits).toEqual({
      network: cidr('2001:db8::/32'),
      address: cidr('2001:db8::1/128')
    })
  })

  it('treats host bits under /0 as host bits too', () => {
    expect(parseCidr('1.0.0.0/0')).toMatchObject({
      ok: false,
      reason: 'host bits are set: the network of 1.0.0.0/0 is 0.0.0.0/0'
    })
  })
})

describe('parseAddress', () => {
  it('reads addresses and refuses prefixes and lenient forms', () => {
    expect(parseAddress('192.0.2.1')).toEqual({
      version: 4,
      value: 0xc0000201n
    })
    expect(parseAddress('2001:db8::1')).toEqual({
      version: 6,
      value: (0x2001_0db8n << 96n) | 1n
    })
    expect(parseAddress('192.0.2.1/32')).toBeUndefined()
    expect(parseAddress('010.0.0.1')).toBeUndefined()
    expect(parseAddress('216.240')).toBeUndefined()
    expect(parseAddress('fe80::1%eth0')).toBeUndefined()
    expect(parseAddress('')).toBeUndefined()
  })
})

describe('parseCidrOrThrow', () => {
  it('throws with the text, the reason and the fix', () => {
    expect(() => parseCidrOrThrow('010.0.0.1')).toThrow(
      'invalid CIDR "010.0.0.1": leading zero in octet "010" (some parsers would read it as octal); write 10.0.0.1'
    )
  })
})

describe('formatAddress', () => {
  it.each([
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['0:0:1:0:0:1:0:0', '::1:0:0:1:0:0'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['ABCD:EF01:0:0:0:0:0:FFFF', 'abcd:ef01::ffff']
  ])('writes %s as %s (RFC 5952)', (text, canonical) => {
    expect(formatAddress(address(text))).toBe(canonical)
  })

  it('writes IPv4 in dotted decimal', () => {
    expect(formatAddress({ version: 4, value: 0n })).toBe('0.0.0.0')
    expect(formatAddress({ version: 4, value: 0xffff_ffffn })).toBe(
      '255.255.255.255'
    )
    expect(formatAddress({ version: 4, value: 0x0a00_0001n })).toBe('10.0.0.1')
  })
})

describe('compareCidrs', () => {
  it('orders IPv4 first, then by network, then the wider block first', () => {
    const list = cidrs(
      '::/0',
      '10.0.0.0/16',
      '10.0.0.0/8',
      '9.0.0.0/8',
      '2001:db8::/32'
    )
    expect(texts([...list].sort(compareCidrs))).toEqual([
      '9.0.0.0/8',
      '10.0.0.0/8',
      '10.0.0.0/16',
      '::/0',
      '2001:db8::/32'
    ])
  })
})

describe('containment', () => {
  it('cidrContains and overlaps follow the block boundaries', () => {
    expect(cidrContains(cidr('10.0.0.0/8'), cidr('10.255.0.0/16'))).toBe(true)
    expect(cidrContains(cidr('10.0.0.0/8'), cidr('11.0.0.0/16'))).toBe(false)
    expect(cidrContains(cidr('10.0.0.0/16'), cidr('10.0.0.0/8'))).toBe(false)
    expect(cidrContains(cidr('0.0.0.0/0'), cidr('::/0'))).toBe(false)
    expect(cidrContains(cidr('::/0'), cidr('2001:db8::/32'))).toBe(true)
    expect(overlaps(cidr('10.0.0.0/16'), cidr('10.0.0.0/8'))).toBe(true)
    expect(overlaps(cidr('10.0.0.0/25'), cidr('10.0.0.128/25'))).toBe(false)
    expect(overlaps(cidr('0.0.0.0/0'), cidr('::/0'))).toBe(false)
  })

  it('addressInCidr and addressInSet check the version', () => {
    expect(addressInCidr(address('10.1.2.3'), cidr('10.0.0.0/8'))).toBe(true)
    expect(addressInCidr(address('11.0.0.0'), cidr('10.0.0.0/8'))).toBe(false)
    expect(addressInCidr(address('::a01:203'), cidr('10.0.0.0/8'))).toBe(false)
    const set = cidrs('192.0.2.0/24', '2001:db8::/32')
    expect(addressInSet(address('2001:db8::5'), set)).toBe(true)
    expect(addressInSet(address('192.0.3.0'), set)).toBe(false)
    expect(addressInSet(address('192.0.2.255'), set)).toBe(true)
  })

  it('isUniversal holds only for the whole space of a version', () => {
    expect(isUniversal(cidr('0.0.0.0/0'))).toBe(true)
    expect(isUniversal(cidr('::/0'))).toBe(true)
    expect(isUniversal(cidr('0.0.0.0/1'))).toBe(false)
    expect(isUniversal(cidr('::/1'))).toBe(false)
  })
})

describe('nonInternetRange', () => {
  it.each([
    ['10.1.0.0/16', 'private', '10.0.0.0/8'],
    ['10.0.0.0/8', 'private', '10.0.0.0/8'],
    ['172.31.255.255', 'private', '172.16.0.0/12'],
    ['192.168.1.0/24', 'private', '192.168.0.0/16'],
    ['127.0.0.1', 'loopback', '127.0.0.0/8'],
    ['::1', 'loopback', '::1/128'],
    ['169.254.169.254', 'link-local', '169.254.0.0/16'],
    ['fe80::/64', 'link-local', 'fe80::/10'],
    ['fd12:3456::/32', 'unique-local', 'fc00::/7'],
    ['100.64.1.0/24', 'shared', '100.64.0.0/10'],
    ['0.1.2.3', 'this-network', '0.0.0.0/8'],
    ['::ffff:10.1.2.3', 'ipv4-mapped-private', '::ffff:a00:0/104'],
    ['::ffff:192.168.0.0/120', 'ipv4-mapped-private', '::ffff:c0a8:0/112']
  ])('flags %s as %s (%s)', (text, kind, range) => {
    expect(nonInternetRange(cidr(text))).toEqual({ kind, range })
  })

  it.each([
    '192.0.2.0/24',
    '198.51.100.7',
    '203.0.113.0/24',
    '2001:db8::/32',
    '8.8.8.8',
    '10.0.0.0/7',
    '172.32.0.0/16',
    '0.0.0.0/0',
    '::/0',
    '::2',
    '100.128.0.0/16',
    '::ffff:8.8.8.8'
  ])('leaves %s alone', text => {
    expect(nonInternetRange(cidr(text))).toBeUndefined()
  })
})

describe('aggregate', () => {
  it('merges adjacent halves into their parent', () => {
    expect(texts(aggregate(cidrs('10.0.0.128/25', '10.0.0.0/25')))).toEqual([
      '10.0.0.0/24'
    ])
    expect(texts(aggregate(cidrs('8000::/1', '::/1')))).toEqual(['::/0'])
  })

  it('drops blocks nested in others and duplicates', () => {
    expect(
      texts(
        aggregate(
          cidrs('10.0.0.0/8', '10.1.2.3', '10.0.0.0/8', '10.255.0.0/16')
        )
      )
    ).toEqual(['10.0.0.0/8'])
  })

  it('keeps adjacent blocks apart when no aligned block covers both', () => {
    expect(texts(aggregate(cidrs('10.0.0.2/31', '10.0.0.1')))).toEqual([
      '10.0.0.1/32',
      '10.0.0.2/31'
    ])
    expect(texts(aggregate(cidrs('10.0.1.0/24', '10.0.2.0/24')))).toEqual([
      '10.0.1.0/24',
      '10.0.2.0/24'
    ])
  })

  it('splits a merged run into the fewest aligned blocks', () => {
    const run = cidrs('10.0.0.1', '10.0.0.2/31', '10.0.0.4/30', '10.0.0.8/29')
    expect(texts(aggregate(run))).toEqual([
      '10.0.0.1/32',
      '10.0.0.2/31',
      '10.0.0.4/30',
      '10.0.0.8/29'
    ])
    expect(texts(aggregate([...run, cidr('10.0.0.0')]))).toEqual([
      '10.0.0.0/28'
    ])
  })

  it('handles both ends of the address space', () => {
    expect(
      texts(aggregate(cidrs('255.255.255.254', '255.255.255.255', '0.0.0.0')))
    ).toEqual(['0.0.0.0/32', '255.255.255.254/31'])
    expect(texts(aggregate(cidrs('0.0.0.0/1', '128.0.0.0/1')))).toEqual([
      '0.0.0.0/0'
    ])
    expect(
      texts(
        aggregate(cidrs('ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127', '::'))
      )
    ).toEqual(['::/128', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127'])
  })

  it('sorts IPv4 before IPv6 and returns nothing for nothing', () => {
    expect(
      texts(aggregate(cidrs('2001:db8::/32', '192.0.2.0/24', '10.0.0.0/8')))
    ).toEqual(['10.0.0.0/8', '192.0.2.0/24', '2001:db8::/32'])
    expect(aggregate([])).toEqual([])
  })

  it('reads a hand-built block with host bits as the block holding them', () => {
    const loose: Cidr[] = [
      { version: 4, network: 0x0a00_0005n, prefix: 24 },
      { version: 6, network: (0x2001_0db8n << 96n) | 7n, prefix: 32 }
    ]
    expect(texts(aggregate(loose))).toEqual(['10.0.0.0/24', '2001:db8::/32'])
    expect(texts(subtractSets(loose, []))).toEqual([
      '10.0.0.0/24',
      '2001:db8::/32'
    ])
  })

  it('never mixes the versions up', () => {
    // ::/96 holds the same numbers as 0.0.0.0/0, but they are other addresses.
    expect(texts(aggregate(cidrs('0.0.0.0/1', '::8000:0/97')))).toEqual([
      '0.0.0.0/1',
      '::8000:0/97'
    ])
  })
})

describe('set operations', () => {
  it('intersectSets keeps the shared addresses', () => {
    expect(
      texts(
        intersectSets(
          cidrs('10.0.0.0/8', '2001:db8::/32', '192.0.2.0/24'),
          cidrs('10.1.0.0/16', '10.2.0.0/16', '2001:db8:1::/48', '::/0')
        )
      )
    ).toEqual(['10.1.0.0/16', '10.2.0.0/16', '2001:db8::/32'])
    expect(intersectSets(cidrs('0.0.0.0/0'), cidrs('::/0'))).toEqual([])
  })

  it('subtractSets removes the second set from the first', () => {
    expect(
      texts(subtractSets(cidrs('10.0.0.0/24'), cidrs('10.0.0.128/26')))
    ).toEqual(['10.0.0.0/25', '10.0.0.192/26'])
    expect(
      texts(subtractSets(cidrs('0.0.0.0/0'), cidrs('0.0.0.0/1', '::/0')))
    ).toEqual(['128.0.0.0/1'])
    expect(subtractSets(cidrs('10.0.0.0/24'), cidrs('10.0.0.0/8'))).toEqual([])
  })

  it('subtractSets handles one hole spanning several ranges', () => {
    expect(
      texts(
        subtractSets(
          cidrs('10.0.0.0/24', '10.0.2.0/24', '10.0.4.0/24'),
          cidrs('10.0.0.128/25', '10.0.1.0/24', '10.0.2.0/25', '10.0.4.7')
        )
      )
    ).toEqual([
      '10.0.0.0/25',
      '10.0.2.128/25',
      '10.0.4.0/30',
      '10.0.4.4/31',
      '10.0.4.6/32',
      '10.0.4.8/29',
      '10.0.4.16/28',
      '10.0.4.32/27',
      '10.0.4.64/26',
      '10.0.4.128/25'
    ])
  })

  it('sameAddresses compares coverage, not spelling', () => {
    expect(
      sameAddresses(
        cidrs('10.0.0.0/25', '10.0.0.128/25'),
        cidrs('10.0.0.0/24', '10.0.0.7')
      )
    ).toBe(true)
    expect(sameAddresses(cidrs('10.0.0.0/24'), cidrs('10.0.0.0/25'))).toBe(
      false
    )
    expect(sameAddresses(cidrs('0.0.0.0/0'), cidrs('::/0'))).toBe(false)
    expect(sameAddresses([], [])).toBe(true)
  })
})
