import { describe, expect, it } from '@jest/globals'
import { parseConfig } from '../../src/config/load.js'
import { formatCidr } from '../../src/cidr.js'
import {
  diagnosticsOf,
  errorsOf,
  warningsOf,
  withEntry,
  yaml
} from './helpers.js'

describe('a valid file', () => {
  const text = yaml`
    version: 1
    settings:
      policy-name-prefix: ip-
      policy-path: /ip/
      prune: true
      concurrency: 4
    allowlists:
      office:
        - 192.0.2.0/25
        - cidr: 192.0.2.128/25
          note: second floor
      vpn:
        - 2001:DB8::1
    policies:
      team:
        description: The team
        allow: [office, vpn, 198.51.100.7]
        actions: [notebook, studio]
        resources: ['arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/team-*', 'arn:aws:sagemaker:*:123456789012:user-profile/*']
        vpc-endpoints: [vpce-0123456789abcdef0]
        attach:
          users: [alice]
          groups: [team]
          roles: [TeamRole]
  `

  it('resolves names, expands presets and aggregates CIDRs', () => {
    const { config, diagnostics } = parseConfig(text, 'cfg.yml')
    expect(diagnostics).toEqual([])
    expect(config?.settings).toEqual({
      policyNamePrefix: 'ip-',
      policyPath: '/ip/',
      prune: true,
      concurrency: 4
    })
    const team = config!.policies[0]
    expect(team.name).toBe('ip-team')
    expect(team.allowlists).toEqual(['office', 'vpn'])
    expect(team.cidrs.map(formatCidr)).toEqual([
      '192.0.2.0/24',
      '198.51.100.7/32',
      '2001:db8::1/128'
    ])
    expect(team.actions).toEqual([
      'sagemaker:CreatePresignedDomainUrl',
      'sagemaker:CreatePresignedNotebookInstanceUrl'
    ])
    expect(team.vpcEndpoints).toEqual(['vpce-0123456789abcdef0'])
    expect(team.attach).toEqual({
      users: ['alice'],
      groups: ['team'],
      roles: ['TeamRole']
    })
    expect(config!.allowlists[0].entries[1].note).toBe('second floor')
  })

  it('fills defaults', () => {
    const { config } = parseConfig(withEntry('192.0.2.0/24'), 'cfg.yml')
    expect(config?.settings).toEqual({
      policyNamePrefix: 'sagemaker-ip-allowlist-',
      policyPath: '/sagemaker-ip-allowlist/',
      prune: false,
      concurrency: 8
    })
    expect(config?.policies[0].actions).toEqual([
      'sagemaker:CreatePresignedNotebookInstanceUrl'
    ])
    expect(config?.policies[0].resources).toEqual(['*'])
  })
})

describe('YAML problems', () => {
  it('reports syntax errors with their position', () => {
    const errors = errorsOf('version: 1\npolicies:\n  team: [unclosed\n')
    expect(errors.length).toBeGreaterThan(0)
    expect(errors[0]).toMatch(/^cfg\.yml:\d+:\d+: error: YAML syntax error: /)
  })

  it('reports duplicate keys at the second key', () => {
    const errors = errorsOf(yaml`
      version: 1
      allowlists:
        office: [192.0.2.0/24]
        office: [198.51.100.0/24]
      policies: {}
    `)
    expect(errors).toEqual([
      expect.stringMatching(/^cfg\.yml:4:3: error: duplicate key/)
    ])
  })

  it('refuses alias bombs', () => {
    const lines = ['version: 1', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]']
    for (let i = 1; i < 9; i++) {
      const refs = Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')
      lines.push(`a${i}: &a${i} [${refs}]`)
    }
    lines.push('policies:', '  team:', '    allow: *a8')
    const errors = errorsOf(lines.join('\n'))
    expect(errors.some(e => /alias bomb/.test(e))).toBe(true)
  })

  it('refuses files over 1 MiB', () => {
    const text = 'version: 1\n#' + 'x'.repeat(1024 * 1024)
    expect(errorsOf(text)).toEqual([
      expect.stringMatching(/^cfg\.yml:1:1: error: .*over 1048576 bytes/)
    ])
  })
})

describe('shape problems', () => {
  it('suggests the closest known key', () => {
    const errors = errorsOf(yaml`
      version: 1
      allowlists:
        office: [192.0.2.0/24]
      policies:
        team:
          alow: [office]
    `)
    expect(errors).toContainEqual(
      expect.stringMatching(
        /^cfg\.yml:6:5: error: unknown key "alow" in "policies\.team" \(did you mean "allow"\?\)/
      )
    )
    expect(errors).toContainEqual(
      expect.stringMatching(
        /^cfg\.yml:5:3: error: "policies\.team" is missing the required key "allow" \(add allow: \[office\]\)/
      )
    )
  })

  it('reports wrong types', () => {
    const errors = errorsOf(yaml`
      version: 1
      settings:
        prune: yes
        concurrency: many
      allowlists:
        office: 192.0.2.0/24
      policies:
        team:
          allow: [office]
          attach:
            users: alice
    `)
    expect(errors).toEqual([
      'cfg.yml:3:10: error: "settings.prune" must be true or false, not the string "yes"',
      'cfg.yml:4:16: error: "settings.concurrency" must be a whole number, not the string "many"',
      expect.stringMatching(
        /^cfg\.yml:6:11: error: "allowlists\.office" must be a list/
      ),
      expect.stringMatching(
        /^cfg\.yml:11:14: error: "policies\.team\.attach\.users" must be a list/
      )
    ])
  })

  it('requires a supported version', () => {
    expect(
      errorsOf('policies:\n  t:\n    allow: [192.0.2.0/24]\n')
    ).toContainEqual(
      'cfg.yml:1:1: error: the file is missing the required key "version" (add version: 1)'
    )
    expect(
      errorsOf('version: 2\npolicies:\n  t:\n    allow: [192.0.2.0/24]\n')
    ).toContainEqual(
      'cfg.yml:1:10: error: "version" is 2, which is not supported; supported: 1'
    )
  })
})

describe('CIDR problems', () => {
  const cases: [string, RegExp][] = [
    ['256.0.0.1', /octet 256/],
    ['192.0.2.0/33', /prefix/],
    ['2001:db8::/129', /prefix/],
    ['010.0.0.1', /leading zero/],
    ['216.240', /./],
    ['not-an-ip', /./],
    ["''", /./]
  ]
  it.each(cases)('rejects %s', (entry, reason) => {
    const errors = errorsOf(withEntry(entry))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^cfg\.yml:4:7: error: /)
    expect(errors[0]).toMatch(reason)
  })

  it('names the network and the single address when host bits are set', () => {
    const [error] = errorsOf(withEntry('192.0.2.5/24'))
    expect(error).toContain('192.0.2.0/24')
    expect(error).toContain('192.0.2.5/32')
  })

  it('rejects a range that admits everything', () => {
    expect(errorsOf(withEntry('0.0.0.0/0'))[0]).toMatch(/every IPv4 address/)
    expect(errorsOf(withEntry('::/0'))[0]).toMatch(/every IPv6 address/)
  })

  it('rejects ranges that together admit everything', () => {
    const errors = errorsOf(yaml`
      version: 1
      allowlists:
        halves: [0.0.0.0/1, 128.0.0.0/1]
      policies:
        team:
          allow: [halves]
          attach: { users: [alice] }
    `)
    expect(errors).toEqual([
      expect.stringMatching(
        /^cfg\.yml:6:12: error: together, .* cover every IPv4 address/
      )
    ])
  })

  it('warns about ranges the internet never sends', () => {
    for (const entry of [
      '10.1.0.0/16',
      '127.0.0.1',
      '169.254.0.0/16',
      'fe80::/64',
      'fd00::/8',
      '100.64.0.0/10',
      '0.0.0.0/8',
      '::ffff:10.0.0.1'
    ]) {
      const warnings = warningsOf(withEntry(entry))
      expect(warnings).toEqual([
        expect.stringMatching(
          /^cfg\.yml:4:7: warning: .* range .* admits nobody/
        )
      ])
      expect(errorsOf(withEntry(entry))).toEqual([])
    }
  })

  it('names the kind of range in words', () => {
    expect(warningsOf(withEntry('100.64.0.0/16'))[0]).toContain(
      '"100.64.0.0/16" is inside the shared (carrier-grade NAT) range 100.64.0.0/10'
    )
    expect(warningsOf(withEntry('::ffff:192.168.1.1'))[0]).toContain(
      'is inside the IPv4-mapped private range ::ffff:c0a8:0/112'
    )
  })

  it('warns about duplicate and overlapping ranges and merges them', () => {
    const text = yaml`
      version: 1
      allowlists:
        office:
          - 192.0.2.0/24
          - 192.0.2.0/24
          - 192.0.2.128/25
        vpn: [192.0.2.7]
      policies:
        team:
          allow: [office, vpn]
          attach: { users: [alice] }
    `
    expect(warningsOf(text)).toEqual([
      'cfg.yml:5:7: warning: "192.0.2.0/24" repeats "192.0.2.0/24" (line 4) in allowlist "office"; they are merged',
      'cfg.yml:6:7: warning: "192.0.2.128/25" is inside "192.0.2.0/24" (line 4) in allowlist "office"; they are merged',
      'cfg.yml:7:9: warning: "192.0.2.7" is inside "192.0.2.0/24" from "office" (line 4) in policy "team"; they are merged'
    ])
    const { config } = parseConfig(text, 'cfg.yml')
    expect(config?.policies[0].cidrs.map(formatCidr)).toEqual(['192.0.2.0/24'])
  })

  it('rejects an empty allowlist and a policy that allows nothing', () => {
    const errors = errorsOf(yaml`
      version: 1
      allowlists:
        office: []
      policies:
        team:
          allow: []
          attach: { users: [alice] }
        other:
          allow: [office]
          attach: { users: [bob] }
    `)
    expect(errors).toEqual([
      expect.stringMatching(
        /^cfg\.yml:3:11: error: allowlist "office" is empty/
      ),
      expect.stringMatching(
        /^cfg\.yml:6:12: error: policy "team" allows nothing/
      )
    ])
  })

  it('reports unknown allowlists with a suggestion', () => {
    const errors = errorsOf(yaml`
      version: 1
      allowlists:
        office: [192.0.2.0/24]
      policies:
        team:
          allow: [ofice]
          attach: { users: [alice] }
    `)
    expect(errors).toEqual([
      'cfg.yml:6:13: error: unknown allowlist "ofice" (did you mean "office"?); defined allowlists: office (or write a CIDR)'
    ])
  })
})

describe('IAM names and values', () => {
  const policy = (body: string) =>
    yaml`
      version: 1
      policies:
        team:
          allow: [192.0.2.0/24]
    ` + body

  it('checks the policy name, path and principal names', () => {
    const errors = errorsOf(yaml`
      version: 1
      settings:
        policy-name-prefix: ${'p'.repeat(125)}
        policy-path: no-slashes
      policies:
        team:
          allow: [192.0.2.0/24]
          attach:
            users: ['arn:aws:iam::123456789012:user/alice', ${'u'.repeat(65)}]
            groups: [ok-group]
            roles: ['has space']
    `)
    expect(errors).toEqual([
      expect.stringMatching(
        /^cfg\.yml:4:16: error: the IAM path "no-slashes" must start and end with "\/"/
      ),
      expect.stringMatching(
        /^cfg\.yml:6:3: error: the IAM policy name "p+team" is 129 characters long; IAM allows 128/
      ),
      expect.stringMatching(
        /^cfg\.yml:9:15: error: "arn:aws:iam::123456789012:user\/alice" is not a valid IAM user name/
      ),
      expect.stringMatching(
        /^cfg\.yml:9:55: error: the user name "u+" is 65 characters long; IAM allows 64/
      ),
      expect.stringMatching(
        /^cfg\.yml:11:15: error: "has space" is not a valid IAM role name/
      )
    ])
  })

  it('checks actions, resources and endpoints', () => {
    const errors = errorsOf(
      policy(
        [
          '    actions: [notebok, s3:GetObject, sagemaker:CreatePresignedNoteBookInstanceUrl, sagemaker:Nope*]',
          "    resources: ['arn:aws:s3:::bucket', 'arn:aws:sagemaker:us-east-1:123456789012:user-profile/d/p']",
          '    vpc-endpoints: [vpce-123, vpce-0123456789abcdef0]',
          '    attach: { users: [alice] }',
          ''
        ].join('\n')
      )
    )
    expect(errors).toEqual([
      expect.stringMatching(
        /^cfg\.yml:5:15: error: unknown action preset "notebok" \(did you mean "notebook"\?\)/
      ),
      expect.stringMatching(
        /^cfg\.yml:5:24: error: "s3:GetObject" is not a SageMaker action/
      ),
      expect.stringMatching(
        /^cfg\.yml:5:84: error: "sagemaker:Nope\*" matches no SageMaker action/
      ),
      expect.stringMatching(
        /^cfg\.yml:6:17: error: "arn:aws:s3:::bucket" is not a SageMaker ARN/
      ),
      expect.stringMatching(
        /^cfg\.yml:6:40: error: .* is a user-profile ARN, but the policy's actions act on notebook-instance/
      ),
      expect.stringMatching(
        /^cfg\.yml:7:21: error: "vpce-123" is not a VPC endpoint id/
      )
    ])
  })

  it('accepts action names in any case and wildcards, keeping the canonical spelling', () => {
    const { config, diagnostics } = parseConfig(
      policy(
        '    actions: [sagemaker:createpresignednotebookinstanceurl, "sagemaker:CreatePresigned*"]\n    attach: { users: [alice] }\n'
      ),
      'cfg.yml'
    )
    expect(diagnostics).toEqual([])
    expect(config?.policies[0].actions).toEqual([
      'sagemaker:CreatePresigned*',
      'sagemaker:CreatePresignedNotebookInstanceUrl'
    ])
  })
})

describe('principals under two policies', () => {
  it('is an error when both deny the same action, and explains why', () => {
    const errors = errorsOf(yaml`
      version: 1
      allowlists:
        office: [192.0.2.0/24]
        vpn: [198.51.100.0/24]
      policies:
        office-only:
          allow: [office]
          attach: { users: [alice], groups: [team] }
        vpn-only:
          allow: [vpn]
          attach:
            users: [bob, alice]
            groups: [team]
    `)
    expect(errors).toEqual([
      expect.stringMatching(
        /^cfg\.yml:12:20: error: user "alice" is attached to both "office-only" \(line 6\) and "vpn-only", which both deny sagemaker:CreatePresignedNotebookInstanceUrl: two Deny policies on one principal intersect/
      ),
      expect.stringMatching(
        /^cfg\.yml:13:16: error: group "team" is attached to both/
      )
    ])
  })

  it('is fine when the policies deny different actions', () => {
    const text = yaml`
      version: 1
      policies:
        notebooks:
          allow: [192.0.2.0/24]
          actions: [notebook]
          attach: { users: [alice] }
        mlflow:
          allow: [198.51.100.0/24]
          actions: [mlflow]
          attach: { users: [alice] }
    `
    expect(errorsOf(text)).toEqual([])
  })
})

describe('all problems at once', () => {
  it('collects every error and warning of a file in line order', () => {
    const lines = diagnosticsOf(yaml`
      version: 1
      allowlists:
        office: [192.0.2.5/24, 10.0.0.0/8]
        unused: [198.51.100.0/24]
      policies:
        team:
          allow: [office, nope]
          actions: [notebok]
          attach: { users: [alice] }
    `)
    expect(lines.map(l => l.split(': ')[0] + ': ' + l.split(': ')[1])).toEqual([
      'cfg.yml:3:12: error',
      'cfg.yml:3:26: warning',
      'cfg.yml:4:3: warning',
      'cfg.yml:7:21: error',
      'cfg.yml:8:15: error'
    ])
  })
})
