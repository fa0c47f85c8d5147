import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { formatAddress } from '../src/cidr.js'
import { parseConfig } from '../src/config/load.js'
import type { Config } from '../src/config/model.js'
import { loadDesiredState } from '../src/desired.js'
import {
  MANAGED_POLICY_SIZE_LIMIT,
  policySize,
  renderConfig,
  type RenderedPolicy
} from '../src/render.js'
import { yaml } from './config/helpers.js'

// FC_SEED=<the seed a failure printed> replays that failing run.
if (process.env.FC_SEED) {
  fc.configureGlobal({ seed: Number(process.env.FC_SEED) })
}

const NOTEBOOK = 'sagemaker:CreatePresignedNotebookInstanceUrl'
const NOTEBOOK_ARN =
  'arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/team-*'
const PROFILE_ARN = 'arn:aws:sagemaker:eu-west-1:123456789012:user-profile/*'
const SID_PATTERN = /^[A-Za-z0-9]+$/

/** Parses and renders a text that must be valid. */
function configOf(text: string, file = 'cfg.yml'): Config {
  const { config, diagnostics } = parseConfig(text, file)
  if (!config) {
    throw new Error(
      `config is invalid: ${diagnostics.map(d => d.message).join('; ')}`
    )
  }
  return config
}

/** Each policy's JSON by key, for comparing files that list them apart. */
function byKey(policies: RenderedPolicy[]): Record<string, string> {
  return Object.fromEntries(policies.map(p => [p.key, p.json]))
}

function render(text: string): RenderedPolicy[] {
  const { policies, diagnostics } = renderConfig(configOf(text))
  expect(diagnostics).toEqual([])
  return policies
}

describe('the rendered document', () => {
  it('is minified JSON with a fixed key order and explicit prefixes', () => {
    const [policy] = render(yaml`
      version: 1
      allowlists:
        office:
          - 198.51.100.7
      policies:
        team:
          allow: [office]
          attach:
            users: [alice]
    `)

    expect(policy.json).toBe(
      '{"Version":"2012-10-17","Statement":[{"Sid":"DenyOutsideIpAllowlist",' +
        `"Effect":"Deny","Action":"${NOTEBOOK}","Resource":"*",` +
        '"Condition":{"NotIpAddress":{"aws:SourceIp":["198.51.100.7/32"]}}}]}'
    )
    expect(policy.name).toBe('sagemaker-ip-allowlist-team')
    expect(policy.path).toBe('/sagemaker-ip-allowlist/')
    expect(policy.cidrs).toEqual(['198.51.100.7/32'])
    expect(policy.size).toBe(policy.json.length)
  })

  it('sorts several actions, aggregates CIDRs and exempts endpoints', () => {
    const [policy] = render(yaml`
      version: 1
      allowlists:
        office:
          - 2001:DB8:0:0::1
          - 192.0.2.128/25
          - cidr: 192.0.2.0/25
            note: first floor
      policies:
        team:
          allow: [office, 203.0.113.9]
          actions: [studio, notebook]
          resources: ['${NOTEBOOK_ARN}', '${PROFILE_ARN}']
          vpc-endpoints: [vpce-0fffffff, vpce-0123456789abcdef0]
          attach:
            users: [alice]
    `)

    expect(policy.json).toBe(
      '{"Version":"2012-10-17","Statement":[{"Sid":"DenyOutsideIpAllowlist",' +
        '"Effect":"Deny",' +
        `"Action":["sagemaker:CreatePresignedDomainUrl","${NOTEBOOK}"],` +
        `"Resource":["${NOTEBOOK_ARN}","${PROFILE_ARN}"],` +
        '"Condition":{"NotIpAddress":{"aws:SourceIp":' +
        '["192.0.2.0/24","203.0.113.9/32","2001:db8::1/128"]},' +
        '"StringNotEquals":{"aws:SourceVpce":' +
        '["vpce-0123456789abcdef0","vpce-0fffffff"]}}}]}'
    )
    expect(policy.cidrs).toEqual([
      '192.0.2.0/24',
      '203.0.113.9/32',
      '2001:db8::1/128'
    ])
  })

  it('lists several resources in sorted order, whatever the file order', () => {
    const text = (resources: string[]): string => yaml`
      version: 1
      allowlists:
        office: [192.0.2.0/24]
      policies:
        team:
          allow: [office]
          actions: [notebook, studio]
          resources: [${resources.map(r => `'${r}'`).join(', ')}]
          attach:
            users: [alice]
    `
    const [sorted] = render(text([NOTEBOOK_ARN, PROFILE_ARN]))
    const [reversed] = render(text([PROFILE_ARN, NOTEBOOK_ARN]))

    expect(sorted.document.Statement[0].Resource).toEqual([
      NOTEBOOK_ARN,
      PROFILE_ARN
    ])
    expect(reversed.json).toBe(sorted.json)
  })

  it('writes one Sid of letters and digits only, unique in the policy', () => {
    const policies = render(randomFileText(sample(fileArbitrary), 1))
    for (const policy of policies) {
      const sids = policy.document.Statement.map(s => s.Sid)
      expect(new Set(sids).size).toBe(sids.length)
      for (const sid of sids) expect(sid).toMatch(SID_PATTERN)
    }
  })
})

describe('determinism', () => {
  it('renders the same bytes for the same file', () => {
    const text = randomFileText(sample(fileArbitrary), 7)
    const first = render(text).map(p => p.json)
    const second = render(text).map(p => p.json)
    expect(second).toEqual(first)
  })

  it('renders the same bytes whatever the order and spelling of entries', () => {
    fc.assert(
      fc.property(
        fileArbitrary,
        fc.integer(),
        fc.integer(),
        (file, seedA, seedB) => {
          const a = byKey(render(randomFileText(file, seedA)))
          const b = byKey(render(randomFileText(file, seedB)))
          expect(b).toEqual(a)
          for (const policy of render(randomFileText(file, seedA))) {
            const keys = Object.keys(policy.document.Statement[0])
            expect(keys).toEqual([
              'Sid',
              'Effect',
              'Action',
              'Resource',
              'Condition'
            ])
          }
        }
      ),
      { numRuns: 150 }
    )
  })

  it('adds the endpoint condition only when vpc-endpoints are given', () => {
    fc.assert(
      fc.property(fileArbitrary, fc.integer(), (file, seed) => {
        const policies = render(randomFileText(file, seed))
        expect(policies).toHaveLength(file.policies.length)
        for (const policy of policies) {
          const condition = policy.document.Statement[0].Condition ?? {}
          const index = Number(policy.key.replace('policy', ''))
          const expected =
            file.policies[index].vpcEndpoints.length > 0
              ? ['NotIpAddress', 'StringNotEquals']
              : ['NotIpAddress']
          expect(Object.keys(condition)).toEqual(expected)
          const sourceIp = condition.NotIpAddress['aws:SourceIp']
          expect(Array.isArray(sourceIp)).toBe(true)
          for (const cidr of sourceIp as string[]) {
            expect(cidr).toMatch(/\/\d+$/)
          }
        }
      }),
      { numRuns: 100 }
    )
  })
})

describe('policySize', () => {
  it('does not count whitespace', () => {
    expect(policySize('{ "a" :\n\t1 }\r\n')).toBe(7)

    const [policy] = render(randomFileText(sample(fileArbitrary), 3))
    const pretty = JSON.stringify(policy.document, null, 2)
    expect(pretty.length).toBeGreaterThan(policy.json.length)
    expect(policySize(pretty)).toBe(policy.size)
    expect(policySize(policy.json)).toBe(policy.json.length)
  })
})

describe('the size limit', () => {
  /** Addresses two apart, so aggregation cannot merge any of them. */
  const spread = (count: number): string[] =>
    Array.from({ length: count }, (_, i) => `198.18.${i >> 7}.${(i & 127) * 2}`)

  const BIG_COUNT = 400
  const text = [
    'version: 1',
    'allowlists:',
    '  small: [203.0.113.0/24]',
    '  many:',
    ...spread(BIG_COUNT).map(a => `    - ${a}`),
    'policies:',
    '  team:',
    '    allow: [small]',
    '    attach:',
    '      users: [alice]',
    '  big:',
    '    allow: [many]',
    '    attach:',
    '      users: [bob]',
    ''
  ].join('\n')
  const bigLine = text.split('\n').indexOf('  big:') + 1

  it('is an error at the policy key naming the policy, size and limit', () => {
    const config = configOf(text, 'big.yml')
    const { policies, diagnostics } = renderConfig(config)
    const big = policies.find(p => p.key === 'big')!

    expect(big.cidrs).toHaveLength(BIG_COUNT)
    expect(big.size).toBeGreaterThan(MANAGED_POLICY_SIZE_LIMIT)
    expect(MANAGED_POLICY_SIZE_LIMIT).toBe(6144)
    expect(diagnostics).toHaveLength(1)

    const [d] = diagnostics
    expect(d).toMatchObject({
      severity: 'error',
      file: 'big.yml',
      line: bigLine,
      col: 3
    })
    expect(d.message).toContain('"big"')
    expect(d.message).toContain('sagemaker-ip-allowlist-big')
    expect(d.message).toContain(`${big.size} characters`)
    expect(d.message).toContain('6144')
    expect(d.message).toContain(`${BIG_COUNT} CIDRs`)
  })

  it('applies from one character over the limit', () => {
    const config = configOf(text)
    const { policies } = renderConfig(config)
    const big = policies.find(p => p.key === 'big')!

    expect(renderConfig(config, big.size).diagnostics).toEqual([])
    expect(renderConfig(config, big.size - 1).diagnostics).toHaveLength(1)
  })

  it('keeps loadDesiredState from returning policies', () => {
    const dir = mkdtempSync(join(tmpdir(), 'render-test-'))
    try {
      const file = join(dir, 'big.yml')
      writeFileSync(file, text)
      const result = loadDesiredState(file)
      expect(result.desired).toBeUndefined()
      const errors = result.diagnostics.filter(d => d.severity === 'error')
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatchObject({ file, line: bigLine })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

// A random file, described by what it means; `randomFileText` writes it out
// with its lists in a random order and each CIDR in a random spelling.

interface GenCidr {
  readonly version: 4 | 6
  readonly network: bigint
  readonly prefix: number
}

interface GenPolicy {
  readonly allow: readonly number[]
  readonly literals: readonly GenCidr[]
  readonly actions: readonly string[]
  readonly vpcEndpoints: readonly string[]
}

interface GenFile {
  readonly allowlists: readonly (readonly GenCidr[])[]
  readonly policies: readonly GenPolicy[]
}

const PRESETS = ['notebook', 'studio', 'mlflow', 'partner-app']

function cidrArbitrary(version: 4 | 6): fc.Arbitrary<GenCidr> {
  const bits = version === 4 ? 32 : 128
  return fc
    .record({
      value: fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }),
      prefix: fc.integer({ min: version === 4 ? 8 : 16, max: bits })
    })
    .map(({ value, prefix }) => {
      const hostBits = BigInt(bits - prefix)
      return { version, network: (value >> hostBits) << hostBits, prefix }
    })
}

const anyCidr = fc.oneof(cidrArbitrary(4), cidrArbitrary(6))

const vpcEndpoint = fc
  .bigInt({ min: 0n, max: (1n << 68n) - 1n })
  .map(n => `vpce-${n.toString(16).padStart(17, '0')}`)

const fileArbitrary: fc.Arbitrary<GenFile> = fc
  .array(fc.array(anyCidr, { minLength: 1, maxLength: 6 }), {
    minLength: 1,
    maxLength: 4
  })
  .chain(allowlists =>
    fc.record({
      allowlists: fc.constant(allowlists),
      policies: fc.array(
        fc.record({
          allow: fc.uniqueArray(
            fc.integer({ min: 0, max: allowlists.length - 1 }),
            { minLength: 1, maxLength: allowlists.length }
          ),
          literals: fc.array(anyCidr, { maxLength: 2 }),
          actions: fc.subarray(PRESETS, { minLength: 1 }),
          vpcEndpoints: fc.uniqueArray(vpcEndpoint, { maxLength: 3 })
        }),
        { minLength: 1, maxLength: 3 }
      )
    })
  )

function sample<T>(arbitrary: fc.Arbitrary<T>): T {
  return fc.sample(arbitrary, { numRuns: 1, seed: 42 })[0]
}

/** A small seeded generator, so one seed always writes the same text. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

/** One of the spellings the file may use for the block. */
function spell(cidr: GenCidr, random: () => number): string {
  const host = cidr.prefix === (cidr.version === 4 ? 32 : 128)
  const suffix = host && random() < 0.5 ? '' : `/${cidr.prefix}`
  if (cidr.version === 4) {
    return formatAddress({ version: 4, value: cidr.network }) + suffix
  }
  const groups = Array.from({ length: 8 }, (_, i) =>
    Number((cidr.network >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)
  )
  const choice = random()
  const text =
    choice < 0.33
      ? groups.join(':')
      : choice < 0.66
        ? groups.join(':').toUpperCase()
        : formatAddress({ version: 6, value: cidr.network })
  return text + suffix
}

function randomFileText(file: GenFile, seed: number): string {
  const random = mulberry32(seed)
  const quoted = (cidr: GenCidr): string => `'${spell(cidr, random)}'`
  const lines = ['version: 1', 'allowlists:']

  for (const index of shuffled([...file.allowlists.keys()], random)) {
    lines.push(`  list${index}:`)
    for (const cidr of shuffled(file.allowlists[index], random)) {
      if (random() < 0.3) {
        lines.push(`    - cidr: ${quoted(cidr)}`, `      note: entry ${index}`)
      } else {
        lines.push(`    - ${quoted(cidr)}`)
      }
    }
  }

  lines.push('policies:')
  for (const i of shuffled([...file.policies.keys()], random)) {
    const policy = file.policies[i]
    const allow = [
      ...policy.allow.map(index => `list${index}`),
      ...policy.literals.map(quoted)
    ]
    lines.push(
      `  policy${i}:`,
      `    allow: [${shuffled(allow, random).join(', ')}]`,
      `    actions: [${shuffled(policy.actions, random).join(', ')}]`
    )
    if (policy.vpcEndpoints.length > 0) {
      const endpoints = shuffled(policy.vpcEndpoints, random)
      lines.push(`    vpc-endpoints: [${endpoints.join(', ')}]`)
    }
    lines.push('    attach:', `      users: [user${i}]`)
  }
  return lines.join('\n') + '\n'
}
