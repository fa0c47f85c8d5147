import { beforeEach, describe, expect, it } from '@jest/globals'
import type { IamSandbox } from '../../sandbox/index.js'
import { createIamClient } from '../../src/iam/client.js'
import { SdkIamGateway } from '../../src/iam/gateway.js'
import {
  configFile,
  desiredOf,
  denyDocument,
  Gateways,
  jsonPlan,
  NOTEBOOK,
  PATH,
  PEOPLE,
  PREFIX,
  STUDIO,
  tagsFor,
  toolPolicy,
  useSandbox
} from './helpers.js'

const VPCE_A = 'vpce-0a1b2c3d4e5f60718'
const VPCE_B = 'vpce-0fedcba9876543210'
const NOTEBOOK_ARN =
  'arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/team-nb'

describe('documents compared by meaning', () => {
  let sandbox: IamSandbox
  const gateways = new Gateways()
  useSandbox(PEOPLE, gateways, started => (sandbox = started), null)
  beforeEach(() => sandbox.clearCalls())

  const file = configFile(
    [
      'version: 1',
      'policies:',
      '  wide:',
      '    allow: [192.0.2.0/24, 198.51.100.7, 2001:db8::/64]',
      '    vpc-endpoints: [vpce-0a1b2c3d4e5f60718]',
      '    attach:',
      '      users: [alice]',
      '  narrow:',
      '    allow: [203.0.113.0/24]',
      '    attach:',
      '      roles: [NotebookUsers]',
      ''
    ].join('\n')
  )

  it('sees no change in key order, whitespace, one-element lists, CIDR order and spelling, action case', async () => {
    const desired = desiredOf(file)
    const wide = desired.policies.find(p => p.key === 'wide')!
    const narrow = desired.policies.find(p => p.key === 'narrow')!
    // The tool wrote its own document (the digest tag); then someone wrote
    // the same meaning in another form as a new default version.
    const wideEquivalent = JSON.stringify(
      {
        Statement: [
          {
            Condition: {
              StringNotEquals: { 'aws:SourceVpce': VPCE_A },
              NotIpAddress: {
                'aws:SourceIp': [
                  '2001:0DB8:0000:0000::/64',
                  '198.51.100.7',
                  '192.0.2.128/25',
                  '192.0.2.0/25'
                ]
              }
            },
            Resource: ['*'],
            Action: ['sagemaker:createpresignednotebookinstanceurl'],
            Effect: 'Deny'
          }
        ],
        Version: '2012-10-17'
      },
      null,
      4
    ).replace(/\n/g, '\n\n\t')
    const narrowEquivalent = `  {"Version":"2012-10-17",\n "Statement":{"Effect":"Deny","Action":"${NOTEBOOK}","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}}\n`
    sandbox.reset({
      ...PEOPLE,
      policies: [
        {
          ...toolPolicy(file, 'wide'),
          extraVersions: [wide.json],
          document: wideEquivalent
        },
        {
          ...toolPolicy(file, 'narrow'),
          extraVersions: [narrow.json],
          document: narrowEquivalent
        }
      ]
    })
    const { run, json } = await jsonPlan(file, gateways.make(), [
      '--detailed-exitcode'
    ])
    expect(run.stderr).toBe('')
    expect(json.changes).toEqual([])
    expect(json.warnings).toEqual([])
    expect(run.code).toBe(0)
  })

  it('reads documents an emulator sends raw, not URL-encoded, the same way', async () => {
    sandbox.reset({
      ...PEOPLE,
      policies: [toolPolicy(file, 'wide'), toolPolicy(file, 'narrow')]
    })
    const client = createIamClient({ retryDelayMs: () => 1 })
    let raw = 0
    // Decode the document before the gateway sees it, as an emulator that
    // skips the encoding would send it.
    client.middlewareStack.add(
      next => async args => {
        const result = await next(args)
        const output = result.output as {
          PolicyVersion?: { Document?: string }
        }
        if (output.PolicyVersion?.Document) {
          raw++
          output.PolicyVersion.Document = `\n  ${decodeURIComponent(output.PolicyVersion.Document)}`
        }
        return result
      },
      { step: 'initialize', name: 'rawDocuments' }
    )
    try {
      const iam = new SdkIamGateway(client, { sleep: async () => {} })
      const { run, json } = await jsonPlan(file, iam, ['--detailed-exitcode'])
      expect(raw).toBe(2)
      expect(json.changes).toEqual([])
      expect(run.code).toBe(0)
    } finally {
      client.destroy()
    }
  })

  it('rewrites only the tags when the document matches but was never tagged with a digest', async () => {
    sandbox.reset({
      ...PEOPLE,
      policies: [
        {
          ...toolPolicy(file, 'wide'),
          tags: { 'managed-by': 'sagemaker-ip-allowlist' }
        },
        toolPolicy(file, 'narrow')
      ]
    })
    const { json } = await jsonPlan(file, gateways.make())
    expect(json.changes).toEqual([
      {
        action: 'update',
        policy: `${PREFIX}wide`,
        key: 'wide',
        tagsOnly: true
      }
    ])
  })

  it('lists the CIDRs, actions, resources and endpoints an update adds and removes', async () => {
    const live = [
      {
        name: `${PREFIX}access`,
        path: PATH,
        document: denyDocument(['192.0.2.0/24', '203.0.113.0/24']),
        tags: tagsFor(denyDocument(['192.0.2.0/24', '203.0.113.0/24'])),
        attach: { users: ['alice'] }
      },
      {
        name: `${PREFIX}scope`,
        path: PATH,
        document: denyDocument(['192.0.2.0/24'], { vpce: [VPCE_A] }),
        tags: tagsFor(denyDocument(['192.0.2.0/24'], { vpce: [VPCE_A] })),
        attach: { roles: ['NotebookUsers'] }
      }
    ]
    sandbox.reset({ ...PEOPLE, policies: live })
    const next = configFile(
      [
        'version: 1',
        'policies:',
        '  access:',
        '    allow: [192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32]',
        '    actions: [notebook, studio]',
        '    attach:',
        '      users: [alice]',
        '  scope:',
        '    allow: [192.0.2.0/24]',
        `    resources: ['${NOTEBOOK_ARN}']`,
        `    vpc-endpoints: [${VPCE_B}]`,
        '    attach:',
        '      roles: [NotebookUsers]',
        ''
      ].join('\n')
    )
    const { run, json } = await jsonPlan(next, gateways.make(), [
      '--detailed-exitcode'
    ])
    expect(run.code).toBe(2)
    expect(json.changes).toEqual([
      {
        action: 'update',
        policy: `${PREFIX}access`,
        key: 'access',
        cidrs: {
          added: ['198.51.100.0/24', '2001:db8::/32'],
          removed: ['203.0.113.0/24']
        },
        actions: { added: [STUDIO], removed: [] }
      },
      {
        action: 'update',
        policy: `${PREFIX}scope`,
        key: 'scope',
        resources: { added: [NOTEBOOK_ARN], removed: ['*'] },
        vpcEndpoints: { added: [VPCE_B], removed: [VPCE_A] }
      }
    ])
    expect(json.summary.update).toBe(2)
  })
})
