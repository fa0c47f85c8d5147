import { describe, expect, it } from '@jest/globals'
import { runSimulation } from '@cloud-copilot/iam-simulate'
import { containsCidr, parseCidr as parseCidrWithCidrTools } from 'cidr-tools'
import fc from 'fast-check'
import { addressInSet, formatAddress, parseCidrOrThrow } from '../src/cidr.js'
import { parseConfig } from '../src/config/load.js'
import { loadDesiredState } from '../src/desired.js'
import {
  renderConfig,
  type PolicyDocument,
  type RenderedPolicy
} from '../src/render.js'

// Evidence that the rendered documents mean what the file says, judged by an
// IAM policy simulator rather than by the code that wrote them. Each document
// sits beside an allow-all policy, so a request is allowed exactly when the
// Deny does not apply. "Inside the allowlist" is computed from the CIDRs as
// the file wrote them, by plain integer arithmetic here, and cross-checked
// with the project's addressInSet on the aggregated set.

// FC_SEED=<the seed a failure printed> replays that failing run.
if (process.env.FC_SEED) {
  fc.configureGlobal({ seed: Number(process.env.FC_SEED) })
}

const ACCOUNT = '123456789012'
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:user/alice`
const EXAMPLE = 'examples/sagemaker-ip-allowlist.yml'

/** fast-check runs per property: enough to find slips, quick enough to run. */
const RUNS = 200

const ALLOW_ALL = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }]
}

/** A resource each action can be requested on. */
const RESOURCE_OF: Readonly<Record<string, string>> = {
  'sagemaker:CreatePresignedNotebookInstanceUrl': `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:notebook-instance/research`,
  'sagemaker:CreatePresignedDomainUrl': `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:user-profile/d-abc123def456/alice`,
  'sagemaker:CreatePresignedMlflowTrackingServerUrl': `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:mlflow-tracking-server/tracking`,
  'sagemaker:CreatePresignedMlflowAppUrl': `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:mlflow-app/app-abc123`,
  'sagemaker:CreatePartnerAppPresignedUrl': `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:partner-app/app-abc123`,
  'sagemaker:DescribeNotebookInstance': `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:notebook-instance/research`,
  'sagemaker:StopNotebookInstance': `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:notebook-instance/research`,
  'sagemaker:DescribeUserProfile': `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:user-profile/d-abc123def456/alice`
}
const ALL_ACTIONS = Object.keys(RESOURCE_OF)

const PRESETS = ['notebook', 'studio', 'mlflow', 'partner-app']

type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied'

interface Request {
  readonly action: string
  readonly resource?: string
  readonly sourceIp?: string
  readonly sourceVpce?: string
}

/** What the simulator decides for a request of a principal with these policies. */
async function decide(
  documents: readonly PolicyDocument[],
  request: Request
): Promise<Decision> {
  const contextVariables: Record<string, string> = {}
  if (request.sourceIp !== undefined) {
    contextVariables['aws:SourceIp'] = request.sourceIp
  }
  if (request.sourceVpce !== undefined) {
    contextVariables['aws:SourceVpce'] = request.sourceVpce
  }
  const result = await runSimulation(
    {
      request: {
        principal: PRINCIPAL,
        action: request.action,
        resource: {
          resource: request.resource ?? RESOURCE_OF[request.action],
          accountId: ACCOUNT
        },
        contextVariables
      },
      identityPolicies: [
        { name: 'allow-all', policy: ALLOW_ALL },
        ...documents.map((policy, i) => ({ name: `rendered-${i}`, policy }))
      ],
      serviceControlPolicies: [],
      resourceControlPolicies: []
    },
    {}
  )
  if (result.resultType === 'error') {
    throw new Error(`the simulator refused: ${JSON.stringify(result.errors)}`)
  }
  return result.overallResult as Decision
}

/** The actions a rendered document denies. */
function actionsOf(policy: RenderedPolicy): string[] {
  const action = policy.document.Statement[0].Action ?? []
  return typeof action === 'string' ? [action] : action
}

function endpointsOf(policy: RenderedPolicy): string[] {
  const condition = policy.document.Statement[0].Condition ?? {}
  const endpoints = condition.StringNotEquals?.['aws:SourceVpce'] ?? []
  return typeof endpoints === 'string' ? [endpoints] : (endpoints as string[])
}

// Blocks and addresses as plain integers, with no help from the project.

interface Block {
  readonly version: 4 | 6
  readonly network: bigint
  readonly prefix: number
}

interface Address {
  readonly version: 4 | 6
  readonly value: bigint
}

const BITS = { 4: 32, 6: 128 } as const

const lastOf = (block: Block): bigint =>
  block.network + (1n << BigInt(BITS[block.version] - block.prefix)) - 1n

/** Whether the address is in one of the blocks, by comparing ranges. */
function naiveInside(address: Address, blocks: readonly Block[]): boolean {
  return blocks.some(
    block =>
      block.version === address.version &&
      address.value >= block.network &&
      address.value <= lastOf(block)
  )
}

/** Full, uncompressed text: dotted quad, or eight hex groups. */
function naiveText(version: 4 | 6, value: bigint): string {
  const width = version === 4 ? 8 : 16
  const radix = version === 4 ? 10 : 16
  const parts = Array.from({ length: BITS[version] / width }, (_, i) =>
    Number(
      (value >> BigInt(BITS[version] - width * (i + 1))) &
        ((1n << BigInt(width)) - 1n)
    ).toString(radix)
  )
  return parts.join(version === 4 ? '.' : ':')
}

const blockText = (block: Block): string =>
  `${naiveText(block.version, block.network)}/${block.prefix}`

/** Networks of a version; IPv4 from /8, IPv6 from /16, so none is universal. */
function blockArbitrary(version: 4 | 6): fc.Arbitrary<Block> {
  const bits = BITS[version]
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

/**
 * A list of blocks where some come with their sibling or a block nested
 * inside them, so that aggregation has merging and overlap to do.
 */
const blockList: fc.Arbitrary<Block[]> = fc
  .array(
    fc.tuple(
      fc.oneof(blockArbitrary(4), blockArbitrary(6)),
      fc.constantFrom('alone', 'sibling', 'nested'),
      fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
      fc.integer({ min: 1, max: 16 })
    ),
    { minLength: 1, maxLength: 5 }
  )
  .map(items =>
    items.flatMap(([block, kind, noise, depth]) => {
      const bits = BITS[block.version]
      if (kind === 'sibling') {
        const bit = 1n << BigInt(bits - block.prefix)
        return [block, { ...block, network: block.network ^ bit }]
      }
      if (kind === 'nested' && block.prefix < bits) {
        const prefix = Math.min(bits, block.prefix + depth)
        const span = 1n << BigInt(bits - block.prefix)
        const hostBits = BigInt(bits - prefix)
        const network =
          block.network + (((noise % span) >> hostBits) << hostBits)
        return [block, { version: block.version, network, prefix }]
      }
      return [block]
    })
  )

const vpcEndpoint = fc
  .bigInt({ min: 0n, max: (1n << 68n) - 1n })
  .map(n => `vpce-${n.toString(16).padStart(17, '0')}`)

interface GenPolicy {
  readonly allowlists: readonly (readonly Block[])[]
  /** Indexes of the allowlists the policy admits. */
  readonly allow: readonly number[]
  /** Blocks written directly under allow. */
  readonly literals: readonly Block[]
  readonly actions: readonly string[]
  readonly vpcEndpoints: readonly string[]
}

const policyArbitrary: fc.Arbitrary<GenPolicy> = fc
  .array(blockList, { minLength: 1, maxLength: 3 })
  .chain(allowlists =>
    fc.record({
      allowlists: fc.constant(allowlists),
      allow: fc.uniqueArray(
        fc.integer({ min: 0, max: allowlists.length - 1 }),
        { minLength: 1, maxLength: allowlists.length }
      ),
      literals: fc.array(fc.oneof(blockArbitrary(4), blockArbitrary(6)), {
        maxLength: 2
      }),
      actions: fc.subarray(PRESETS, { minLength: 1 }),
      vpcEndpoints: fc.uniqueArray(vpcEndpoint, { maxLength: 2 })
    })
  )

/** The addresses the file says the policy admits, as written. */
function admitted(policy: GenPolicy): Block[] {
  return [
    ...policy.allow.flatMap(i => policy.allowlists[i]),
    ...policy.literals
  ]
}

function fileText(policy: GenPolicy): string {
  const lines = ['version: 1', 'allowlists:']
  policy.allowlists.forEach((blocks, i) => {
    lines.push(`  list${i}:`, ...blocks.map(b => `    - '${blockText(b)}'`))
  })
  const allow = [
    ...policy.allow.map(i => `list${i}`),
    ...policy.literals.map(b => `'${blockText(b)}'`)
  ]
  lines.push(
    'policies:',
    '  team:',
    `    allow: [${allow.join(', ')}]`,
    `    actions: [${policy.actions.join(', ')}]`
  )
  if (policy.vpcEndpoints.length > 0) {
    lines.push(`    vpc-endpoints: [${policy.vpcEndpoints.join(', ')}]`)
  }
  lines.push('    attach:', '      users: [alice]')
  return lines.join('\n') + '\n'
}

/** Renders through the same path as the tool: parseConfig, renderConfig. */
function rendered(text: string): RenderedPolicy[] {
  const { config, diagnostics } = parseConfig(text, 'cfg.yml')
  if (!config) {
    throw new Error(
      `generated config is invalid: ${diagnostics.map(d => d.message).join('; ')}\n${text}`
    )
  }
  const result = renderConfig(config)
  expect(result.diagnostics).toEqual([])
  return result.policies
}

/**
 * Where to probe a list: inside a random block, at an edge of one (first,
 * last, or the address just before or after), or anywhere at all.
 */
interface Probe {
  readonly kind: 'inside' | 'edge' | 'anywhere'
  readonly pick: number
  readonly edge: number
  readonly noise: bigint
  readonly version: 4 | 6
  readonly compressed: boolean
}

const probeArbitrary: fc.Arbitrary<Probe> = fc.record({
  kind: fc.oneof(
    { weight: 3, arbitrary: fc.constant('inside' as const) },
    { weight: 2, arbitrary: fc.constant('edge' as const) },
    { weight: 4, arbitrary: fc.constant('anywhere' as const) }
  ),
  pick: fc.nat(),
  edge: fc.integer({ min: 0, max: 3 }),
  noise: fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
  version: fc.constantFrom(4 as const, 6 as const),
  compressed: fc.boolean()
})

function addressOf(probe: Probe, blocks: readonly Block[]): Address {
  const block = blocks[probe.pick % blocks.length]
  const max = (1n << BigInt(BITS[block.version])) - 1n
  if (probe.kind === 'inside') {
    const span = lastOf(block) - block.network + 1n
    return {
      version: block.version,
      value: block.network + (probe.noise % span)
    }
  }
  if (probe.kind === 'edge') {
    const edges = [
      block.network,
      lastOf(block),
      block.network > 0n ? block.network - 1n : block.network,
      lastOf(block) < max ? lastOf(block) + 1n : lastOf(block)
    ]
    return { version: block.version, value: edges[probe.edge] }
  }
  const bits = BigInt(BITS[probe.version])
  return { version: probe.version, value: probe.noise >> (128n - bits) }
}

/** The text the request carries; IPv6 sometimes compressed, sometimes not. */
function requestText(address: Address, compressed: boolean): string {
  return address.version === 6 && compressed
    ? formatAddress(address)
    : naiveText(address.version, address.value)
}

/**
 * Checks one address against one rendered policy, for every action it lists,
 * and returns whether it was inside, so callers can see both sides were met.
 */
async function checkAddress(
  policy: RenderedPolicy,
  blocks: readonly Block[],
  address: Address,
  compressed: boolean
): Promise<boolean> {
  const inside = naiveInside(address, blocks)
  const aggregated = policy.cidrs.map(parseCidrOrThrow)
  expect(addressInSet(address, aggregated)).toBe(inside)

  const sourceIp = requestText(address, compressed)
  const expected: Decision = inside ? 'Allowed' : 'ExplicitlyDenied'
  for (const action of actionsOf(policy)) {
    const decision = await decide([policy.document], { action, sourceIp })
    if (decision !== expected) {
      throw new Error(
        `${action} from ${sourceIp}: expected ${expected}, got ${decision}; ` +
          `allowlist ${blocks.map(blockText).join(', ')}; policy ${policy.json}`
      )
    }
  }
  return inside
}

describe('the example file', () => {
  const result = loadDesiredState(EXAMPLE)
  const policies = result.desired?.policies ?? []
  const byKey = (key: string): PolicyDocument =>
    policies.find(p => p.key === key)!.document

  // The blocks as the file writes them, before aggregation, read by
  // cidr-tools rather than by the project's parser.
  const blocksOf = (key: string): Block[] => {
    const config = result.desired!.config
    const spec = config.policies.find(p => p.key === key)!
    return config.allowlists
      .filter(list => spec.allowlists.includes(list.name))
      .flatMap(list => list.entries)
      .map(entry => {
        const parsed = parseCidrWithCidrTools(entry.text)
        return {
          version: parsed.version,
          network: parsed.start,
          prefix: Number(parsed.prefix)
        }
      })
  }

  it('renders without errors', () => {
    expect(result.diagnostics.filter(d => d.severity === 'error')).toEqual([])
    expect(policies.map(p => p.key)).toEqual(['data-science', 'ml-platform'])
  })

  it('allows a request exactly when its address is in the allowlist', async () => {
    for (const policy of policies) {
      const blocks = blocksOf(policy.key)
      expect(blocks.length).toBeGreaterThan(0)
      await fc.assert(
        fc.asyncProperty(probeArbitrary, async probe => {
          const address = addressOf(probe, blocks)
          await checkAddress(policy, blocks, address, probe.compressed)
        }),
        { numRuns: RUNS / 2 }
      )
    }
  })

  const NOTEBOOK = 'sagemaker:CreatePresignedNotebookInstanceUrl'
  const TRACKING = 'sagemaker:CreatePresignedMlflowTrackingServerUrl'
  const cases: [string, string, Request, Decision][] = [
    [
      'office',
      'data-science',
      { action: NOTEBOOK, sourceIp: '192.0.2.1' },
      'Allowed'
    ],
    [
      'vpn /64',
      'data-science',
      { action: NOTEBOOK, sourceIp: '2001:db8:1234:5678:ffff::1' },
      'Allowed'
    ],
    [
      'next to the vpn /32',
      'data-science',
      { action: NOTEBOOK, sourceIp: '198.51.100.8' },
      'ExplicitlyDenied'
    ],
    [
      'no aws:SourceIp',
      'data-science',
      { action: NOTEBOOK },
      'ExplicitlyDenied'
    ],
    [
      'the exempt endpoint',
      'data-science',
      { action: NOTEBOOK, sourceVpce: 'vpce-0a1b2c3d4e5f60718' },
      'Allowed'
    ],
    [
      'another endpoint',
      'data-science',
      { action: NOTEBOOK, sourceVpce: 'vpce-0a1b2c3d4e5f60719' },
      'ExplicitlyDenied'
    ],
    [
      'vpn, not admitted to mlflow',
      'ml-platform',
      { action: TRACKING, sourceIp: '198.51.100.7' },
      'ExplicitlyDenied'
    ],
    [
      'office, admitted to mlflow',
      'ml-platform',
      { action: TRACKING, sourceIp: '203.0.113.200' },
      'Allowed'
    ],
    [
      'an action it does not list',
      'ml-platform',
      { action: NOTEBOOK, sourceIp: '198.51.100.99' },
      'Allowed'
    ]
  ]
  it.each(cases)('decides %s under %s', async (_, key, request, expected) => {
    expect(await decide([byKey(key)], request)).toBe(expected)
  })
})

describe('random files', () => {
  it('allow a request exactly when its address is in the allowlist', async () => {
    let inside = 0
    let outside = 0
    await fc.assert(
      fc.asyncProperty(
        policyArbitrary,
        fc.array(probeArbitrary, { minLength: 1, maxLength: 4 }),
        async (generated, probes) => {
          const [policy] = rendered(fileText(generated))
          const blocks = admitted(generated)
          for (const probe of probes) {
            const address = addressOf(probe, blocks)
            if (await checkAddress(policy, blocks, address, probe.compressed)) {
              inside++
            } else {
              outside++
            }
          }
        }
      ),
      { numRuns: RUNS }
    )

    // The probes are meant to land on both sides of the list.
    expect(inside).toBeGreaterThan(RUNS / 4)
    expect(outside).toBeGreaterThan(RUNS / 4)
  })

  it('agree with cidr-tools on whether an address is inside', () => {
    fc.assert(
      fc.property(policyArbitrary, probeArbitrary, (generated, probe) => {
        const blocks = admitted(generated)
        const address = addressOf(probe, blocks)
        const text = naiveText(address.version, address.value)
        const sameVersion = blocks.filter(b => b.version === address.version)
        const theirs =
          sameVersion.length > 0 &&
          containsCidr(sameVersion.map(blockText), text)
        expect(naiveInside(address, blocks)).toBe(theirs)
      }),
      { numRuns: RUNS }
    )
  })

  it('deny a request without aws:SourceIp unless its endpoint is exempt', async () => {
    await fc.assert(
      fc.asyncProperty(
        policyArbitrary,
        fc.oneof(
          fc.constant({ kind: 'none' as const }),
          fc.record({ kind: fc.constant('exempt' as const), pick: fc.nat() }),
          fc.record({ kind: fc.constant('other' as const), id: vpcEndpoint })
        ),
        async (generated, via) => {
          const [policy] = rendered(fileText(generated))
          const endpoints = endpointsOf(policy)
          expect([...endpoints].sort()).toEqual(
            [...generated.vpcEndpoints].sort()
          )

          let sourceVpce: string | undefined
          if (via.kind === 'exempt' && endpoints.length > 0) {
            sourceVpce = endpoints[via.pick % endpoints.length]
          } else if (via.kind === 'other') {
            sourceVpce = via.id
          }
          const exempt =
            sourceVpce !== undefined &&
            generated.vpcEndpoints.includes(sourceVpce)
          for (const action of actionsOf(policy)) {
            expect(
              await decide([policy.document], { action, sourceVpce })
            ).toBe(exempt ? 'Allowed' : 'ExplicitlyDenied')
          }
        }
      ),
      { numRuns: RUNS }
    )
  })

  it('leave actions the policy does not list alone', async () => {
    await fc.assert(
      fc.asyncProperty(
        policyArbitrary,
        fc.constantFrom(...ALL_ACTIONS),
        fc.option(probeArbitrary, { nil: undefined }),
        async (generated, action, probe) => {
          const [policy] = rendered(fileText(generated))
          fc.pre(!actionsOf(policy).includes(action))
          const sourceIp =
            probe &&
            requestText(addressOf(probe, admitted(generated)), probe.compressed)
          expect(await decide([policy.document], { action, sourceIp })).toBe(
            'Allowed'
          )
        }
      ),
      { numRuns: RUNS }
    )
  })
})

describe('a policy on named resources', () => {
  const [policy] = rendered(
    [
      'version: 1',
      'allowlists:',
      '  office: [192.0.2.0/24]',
      'policies:',
      '  team:',
      '    allow: [office]',
      `    resources: ['${RESOURCE_OF['sagemaker:CreatePresignedNotebookInstanceUrl']}']`,
      '    attach:',
      '      users: [alice]',
      ''
    ].join('\n')
  )
  const action = 'sagemaker:CreatePresignedNotebookInstanceUrl'

  it('denies the listed resource from outside the allowlist', async () => {
    expect(
      await decide([policy.document], { action, sourceIp: '198.51.100.1' })
    ).toBe('ExplicitlyDenied')
    expect(
      await decide([policy.document], { action, sourceIp: '192.0.2.1' })
    ).toBe('Allowed')
  })

  it('leaves other resources alone', async () => {
    const resource = `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:notebook-instance/other`
    expect(
      await decide([policy.document], {
        action,
        resource,
        sourceIp: '198.51.100.1'
      })
    ).toBe('Allowed')
  })
})

describe('two policies on one principal', () => {
  const notebook = 'sagemaker:CreatePresignedNotebookInstanceUrl'
  const twoPolicies = (
    office: string,
    vpn: string,
    sameUser: boolean
  ): string =>
    [
      'version: 1',
      'allowlists:',
      `  office: [${office}]`,
      `  vpn: [${vpn}]`,
      'policies:',
      '  office:',
      '    allow: [office]',
      '    attach:',
      '      users: [alice]',
      '  vpn:',
      '    allow: [vpn]',
      '    attach:',
      sameUser ? '      users: [alice]' : '      groups: [data-scientists]',
      ''
    ].join('\n')

  it('deny an address that is in only one of the lists', async () => {
    const policies = rendered(
      twoPolicies(
        "'192.0.2.0/24'",
        "'192.0.2.128/25', '198.51.100.0/24'",
        false
      )
    )
    const documents = policies.map(p => p.document)
    const from = (sourceIp: string): Promise<Decision> =>
      decide(documents, { action: notebook, sourceIp })

    expect(await from('192.0.2.10')).toBe('ExplicitlyDenied')
    expect(await from('198.51.100.10')).toBe('ExplicitlyDenied')
    expect(await from('203.0.113.1')).toBe('ExplicitlyDenied')
    expect(await from('192.0.2.200')).toBe('Allowed')

    // Each alone admits its own list.
    expect(
      await decide([documents[0]], { action: notebook, sourceIp: '192.0.2.10' })
    ).toBe('Allowed')
    expect(
      await decide([documents[1]], {
        action: notebook,
        sourceIp: '198.51.100.10'
      })
    ).toBe('Allowed')
  })

  it('admit only addresses in both lists', async () => {
    let admittedByBoth = 0
    await fc.assert(
      fc.asyncProperty(
        blockList,
        blockList,
        fc.array(fc.boolean(), { maxLength: 10 }),
        fc.array(probeArbitrary, { minLength: 1, maxLength: 4 }),
        async (office, own, shared, probes) => {
          // Lists that share some blocks, so that both sides are probed.
          const vpn = [...own, ...office.filter((_, i) => shared[i])]
          const quote = (blocks: Block[]): string =>
            blocks.map(b => `'${blockText(b)}'`).join(', ')
          const documents = rendered(
            twoPolicies(quote(office), quote(vpn), false)
          ).map(p => p.document)

          for (const probe of probes) {
            const address = addressOf(probe, [...office, ...vpn])
            const both =
              naiveInside(address, office) && naiveInside(address, vpn)
            if (both) admittedByBoth++
            const sourceIp = requestText(address, probe.compressed)
            expect(
              await decide(documents, { action: notebook, sourceIp })
            ).toBe(both ? 'Allowed' : 'ExplicitlyDenied')
          }
        }
      ),
      { numRuns: RUNS }
    )
    expect(admittedByBoth).toBeGreaterThan(RUNS / 10)
  })

  it('is why the file may not attach both to one principal', () => {
    const { config, diagnostics } = parseConfig(
      twoPolicies('192.0.2.0/24', '198.51.100.0/24', true),
      'cfg.yml'
    )
    const errors = diagnostics.filter(d => d.severity === 'error')
    expect(config).toBeUndefined()
    expect(errors).toHaveLength(1)
    expect(errors[0].message).toContain('intersect')
  })
})
