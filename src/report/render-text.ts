import { MANAGED_POLICY_SIZE_LIMIT, type RenderedPolicy } from '../render.js'

/** The policies for a person to read: one block per policy. */
export function renderedPoliciesText(
  policies: readonly RenderedPolicy[]
): string {
  const blocks = policies.map(p => {
    const attach = (['users', 'groups', 'roles'] as const)
      .filter(k => p.attach[k].length > 0)
      .map(k => `  ${k}: ${p.attach[k].join(', ')}`)
    return [
      `policy ${p.key}: ${p.path}${p.name} (${p.size} of ${MANAGED_POLICY_SIZE_LIMIT} characters, ${p.cidrs.length} CIDRs)`,
      ...(attach.length ? ['attach:', ...attach] : ['attach: none']),
      'document:',
      JSON.stringify(p.document, null, 2)
        .split('\n')
        .map(line => `  ${line}`)
        .join('\n')
    ].join('\n')
  })
  return blocks.join('\n\n') + '\n'
}

/** The stable JSON form of `render`. */
export function renderedPoliciesJson(
  policies: readonly RenderedPolicy[]
): string {
  const out = {
    policies: policies.map(p => ({
      key: p.key,
      name: p.name,
      path: p.path,
      document: p.document,
      attach: {
        users: [...p.attach.users],
        groups: [...p.attach.groups],
        roles: [...p.attach.roles]
      }
    }))
  }
  return JSON.stringify(out, null, 2) + '\n'
}
