import { describe, expect, it } from '@jest/globals'
import { parseConfig } from '../../src/config/load.js'
import { DEFAULT_QUOTAS } from '../../src/iam/gateway.js'
import type { LiveState } from '../../src/live-state.js'
import { computePlan } from '../../src/plan/compute.js'
import { renderConfig } from '../../src/render.js'
import { MENTION_BREAKER } from '../../src/report/markdown-escape.js'
import { planMarkdown } from '../../src/report/plan-markdown.js'

const HOSTILE = `version: 1
allowlists:
  office:
    - cidr: 192.0.2.0/24
      note: "ask @alice or @octo-org/admins <img src=x onerror=alert(1)> | ok"
policies:
  team:
    description: "Team @octo-org/data **bold** <script>alert(1)</script> \`tick\`"
    allow: [office]
    attach:
      users: [alice]
`

const EMPTY_ACCOUNT: LiveState = {
  partition: 'aws',
  policies: new Map(),
  outside: new Map(),
  principals: new Map([
    ['user:alice', { type: 'user', name: 'alice', exists: true, attached: [] }]
  ]),
  quotas: DEFAULT_QUOTAS
}

function markdown(): string {
  const { config } = parseConfig(HOSTILE, 'cfg.yml')
  const desired = { config: config!, policies: renderConfig(config!).policies }
  const plan = computePlan(desired, EMPTY_ACCOUNT)
  return planMarkdown(plan, { file: 'cfg.yml', desired })
}

describe('the plan as markdown', () => {
  it('shows the description and the notes of added CIDRs', () => {
    const text = markdown()
    expect(text).toContain('Team')
    expect(text).toContain('192.0.2.0/24')
    expect(text).toContain('ask')
  })

  it('cannot mention anyone or inject HTML from the file', () => {
    const text = markdown()
    for (const mention of ['@alice', '@octo-org/admins', '@octo-org/data']) {
      expect(text).not.toContain(mention)
      expect(text).toContain(`@${MENTION_BREAKER}${mention.slice(1)}`)
    }
    // An escaped \< renders as a literal <, never as a tag.
    expect(text).not.toMatch(/(?<!\\)<(script|img)/)
    expect(text).toContain('\\<script\\>')
  })

  it('keeps its structure: verdict, table, one balanced section per policy', () => {
    const text = markdown()
    expect(text).toMatch(/^\*\*Plan: 1 to create, 0 to update, 1 to attach/m)
    expect(text).toContain('| 1 | 0 | 1 | 0 | 0 | 0 |')
    expect(text.match(/<details>/g)?.length).toBe(
      text.match(/<\/details>/g)?.length
    )
    expect((text.match(/^```/gm) ?? []).length % 2).toBe(0)
  })
})
