import { describe, expect, it } from '@jest/globals'
import type { Plan } from '../../src/plan/types.js'
import { planText } from '../../src/report/plan-text.js'

const plan: Plan = {
  file: 'cfg.yml',
  changes: [
    {
      action: 'update',
      policy: 'ip-team',
      key: 'team',
      cidrs: { added: ['198.51.100.0/24'], removed: ['192.0.2.0/24'] }
    },
    {
      action: 'detach',
      policy: 'ip-team',
      key: 'team',
      principal: { type: 'group', name: 'old' }
    }
  ],
  summary: { create: 0, update: 1, attach: 0, detach: 1, delete: 0, orphan: 0 },
  errors: [
    { message: 'user "ghost" does not exist', loc: { line: 9, col: 15 } }
  ],
  warnings: [{ message: 'a warning' }],
  effective: [
    {
      principal: { type: 'user', name: 'alice' },
      action: 'sagemaker:CreatePresignedNotebookInstanceUrl',
      policies: ['ip-team'],
      cidrs: ['198.51.100.0/24']
    },
    {
      principal: { type: 'user', name: 'bob' },
      action: 'sagemaker:CreatePresignedNotebookInstanceUrl',
      policies: ['ip-team', 'ip-other'],
      cidrs: []
    }
  ],
  digest: 'abc'
}

describe('planText', () => {
  it('lists changes with their CIDR diffs, errors at their line, warnings and effective access', () => {
    expect(planText(plan)).toBe(
      [
        'plan for cfg.yml',
        '',
        '  ~ update policy ip-team',
        '      cidrs:',
        '        + 198.51.100.0/24',
        '        - 192.0.2.0/24',
        '  - detach group old from ip-team',
        '',
        'errors:',
        '  cfg.yml:9:15: user "ghost" does not exist',
        '',
        'effective access after apply:',
        '  user alice: sagemaker:CreatePresignedNotebookInstanceUrl from 198.51.100.0/24',
        '  user bob: sagemaker:CreatePresignedNotebookInstanceUrl from nowhere (locked out)',
        '',
        'warnings:',
        '  a warning',
        '',
        'Plan failed: 1 error; nothing can be applied until it is fixed.',
        'digest: abc',
        ''
      ].join('\n')
    )
  })
})
