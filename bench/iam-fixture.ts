import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SeedFixture } from '../sandbox/index.js'

// The account and file the plan and apply benchmarks share: 100 policies,
// each with 20 CIDRs and 3 principals (a user, a group of two, a role).

export const POLICY_COUNT = 100
export const CIDRS_PER_POLICY = 20

/** Writes the config file and returns its path and the matching seed. */
export function benchFixture(): { file: string; seed: SeedFixture } {
  const lines = ['version: 1', 'policies:']
  const seed: Required<Pick<SeedFixture, 'users' | 'groups' | 'roles'>> = {
    users: [],
    groups: [],
    roles: []
  }
  for (let p = 0; p < POLICY_COUNT; p++) {
    // Non-adjacent /28s inside one /16 per policy: nothing aggregates away.
    const cidrs = Array.from(
      { length: CIDRS_PER_POLICY },
      (_, i) => `${100 + (p % 2)}.${p}.${i * 2}.0/28`
    )
    lines.push(
      `  team-${p}:`,
      `    allow: [${cidrs.join(', ')}]`,
      '    attach:',
      `      users: [user-${p}]`,
      `      groups: [group-${p}]`,
      `      roles: [role-${p}]`
    )
    seed.users.push(`user-${p}`, `member-${p}-a`, `member-${p}-b`)
    seed.groups.push({
      name: `group-${p}`,
      members: [`member-${p}-a`, `member-${p}-b`]
    })
    seed.roles.push(`role-${p}`)
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-iam-'))
  const file = join(dir, 'sagemaker-ip-allowlist.yml')
  writeFileSync(file, lines.join('\n') + '\n')
  return { file, seed }
}
