import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../cli-helpers.js'

const EXAMPLE = 'examples/sagemaker-ip-allowlist.yml'

function tempFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sia-')), 'cfg.yml')
  writeFileSync(file, text)
  return file
}

describe('validate', () => {
  it('accepts the bundled example', async () => {
    const run = await runCli(['validate', '--config', EXAMPLE])
    expect(run).toEqual({
      code: 0,
      stdout: `${EXAMPLE}: valid, 2 policies\n`,
      stderr: ''
    })
  })

  it('prints every error as FILE:LINE:COL and exits 1', async () => {
    const file = tempFile(
      'version: 1\nallowlists:\n  a: [300.1.1.1, 10.0.0.0/8]\npolicies:\n  p:\n    allow: [b]\n'
    )
    const run = await runCli(['validate', '--config', file])
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    const lines = run.stderr.trim().split('\n')
    expect(lines[0]).toBe(
      `${file}:3:3: warning: allowlist "a" is not used by any policy`
    )
    expect(lines[1]).toBe(
      `${file}:3:7: error: invalid CIDR "300.1.1.1": octet 300 is over 255; use octets from 0 to 255`
    )
    expect(lines[2]).toMatch(new RegExp(`^${file}:3:18: warning: `))
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^${file}:6:13: error: unknown allowlist "b"`)
      )
    )
    expect(lines.at(-1)).toBe(`${file}: 2 errors; nothing was changed`)
  })

  it('exits 0 with warnings on stderr', async () => {
    const file = tempFile(
      'version: 1\npolicies:\n  p:\n    allow: [10.0.0.0/8, 192.0.2.0/24]\n    attach: { users: [a] }\n'
    )
    const run = await runCli(['validate', '--config', file])
    expect(run.code).toBe(0)
    expect(run.stderr).toMatch(
      new RegExp(
        `^${file}:4:13: warning: "10.0.0.0/8" is inside the private range`
      )
    )
  })

  it('reports a missing file', async () => {
    const run = await runCli(['validate', '--config', 'no/such.yml'])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(
      /^no\/such\.yml:1:1: error: cannot read the config file/
    )
  })
})

describe('render', () => {
  it('prints the documented JSON form', async () => {
    const run = await runCli(['render', '--config', EXAMPLE])
    expect(run.code).toBe(0)
    const out = JSON.parse(run.stdout)
    expect(out.policies.map((p: { key: string }) => p.key)).toEqual([
      'data-science',
      'ml-platform'
    ])
    const [ds] = out.policies
    expect(Object.keys(ds)).toEqual([
      'key',
      'name',
      'path',
      'document',
      'attach'
    ])
    expect(ds.name).toBe('sagemaker-ip-allowlist-data-science')
    expect(ds.path).toBe('/sagemaker-ip-allowlist/')
    expect(ds.attach).toEqual({
      users: ['alice'],
      groups: ['data-scientists'],
      roles: ['NotebookUsers']
    })
    expect(
      ds.document.Statement[0].Condition.NotIpAddress['aws:SourceIp']
    ).toEqual([
      '192.0.2.0/24',
      '198.51.100.7/32',
      '203.0.113.0/24',
      '2001:db8:1234:5678::/64'
    ])
  })

  it('prints text for people', async () => {
    const run = await runCli(['render', '--config', EXAMPLE, '--format=text'])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(
      'policy ml-platform: /sagemaker-ip-allowlist/sagemaker-ip-allowlist-ml-platform'
    )
    expect(run.stdout).toContain('"aws:SourceVpce"')
  })

  it('renders nothing for an invalid file', async () => {
    const file = tempFile('version: 1\npolicies: {p: {allow: [nope]}}\n')
    const run = await runCli(['render', '--config', file])
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('error: unknown allowlist "nope"')
  })
})

describe('flags and help', () => {
  it('rejects unknown flags and bad values', async () => {
    const unknown = await runCli(['validate', '--confg', EXAMPLE])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/unknown flag "--confg"/)
    const badFormat = await runCli(['render', '--format', 'yaml'])
    expect(badFormat.code).toBe(1)
    expect(badFormat.stderr).toMatch(
      /--format must be one of json, text, not "yaml"/
    )
    const missing = await runCli(['render', '--config'])
    expect(missing.stderr).toMatch(/--config needs a value/)
    const stray = await runCli(['validate', 'extra'])
    expect(stray.stderr).toMatch(/unexpected argument "extra"/)
  })

  it('has help for the tool and each command', async () => {
    const top = await runCli(['--help'])
    expect(top.code).toBe(0)
    expect(top.stdout).toMatch(/commands:\n\s+validate/)
    const sub = await runCli(['render', '--help'])
    expect(sub.code).toBe(0)
    expect(sub.stdout).toMatch(/--format json\|text/)
    const none = await runCli([])
    expect(none.code).toBe(1)
    const bad = await runCli(['deploy'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/unknown command "deploy"/)
  })
})
