import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { generatedParts, renderReadme } from '../scripts/readme-sections.js'

const readme = readFileSync('README.md', 'utf8')

describe('README.md', () => {
  it('has its generated parts up to date (run npm run readme)', () => {
    expect(renderReadme(readme)).toBe(readme)
  })

  it('shows the config reference, the inputs and outputs, and the files it promises', () => {
    expect(generatedParts(readme)).toEqual(
      expect.arrayContaining([
        'config-reference',
        'inputs',
        'outputs',
        'file:examples/sagemaker-ip-allowlist.yml',
        'file:examples/workflows/plan.yml',
        'file:examples/workflows/apply.yml',
        'file:examples/workflows/dispatch.yml',
        'file:examples/workflows/drift.yml',
        'file:examples/iam/trust-policy.json',
        'file:examples/iam/least-privilege-policy.json',
        'file:examples/iam/plan-role-policy.json'
      ])
    )
  })

  it('gives a newcomer the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm run demo\nnpm test\n')
  })

  it('shows a rendered policy that is what render prints for the example', async () => {
    const { loadDesiredState } = await import('../src/desired.js')
    const { desired } = loadDesiredState('examples/sagemaker-ip-allowlist.yml')
    const dataScience = desired!.policies.find(p => p.key === 'data-science')!
    expect(readme).toContain('```json\n' + dataScience.json + '\n```')
  })
})
