import { describe, expect, it } from '@jest/globals'
import type { Change } from '../../src/plan/types.js'
import { widens } from '../../src/report/plan-words.js'

const update = (added: string[], removed: string[]): Change => ({
  action: 'update',
  policy: 'p',
  cidrs: { added, removed }
})

describe('widens', () => {
  it('is true when an added range admits addresses the removed ones did not', () => {
    expect(widens(update(['198.51.100.0/24'], []))).toBe(true)
    expect(widens(update(['192.0.2.0/23'], ['192.0.2.0/24']))).toBe(true)
  })

  it('is false for a narrowing or a respelling inside the old ranges', () => {
    expect(widens(update(['192.0.2.0/25'], ['192.0.2.0/24']))).toBe(false)
    expect(widens(update([], ['192.0.2.0/24']))).toBe(false)
  })

  it('is true for fewer guarded actions, an exempted endpoint, a detach or a delete', () => {
    expect(
      widens({
        action: 'update',
        policy: 'p',
        actions: { added: [], removed: ['sagemaker:X'] }
      })
    ).toBe(true)
    expect(
      widens({
        action: 'update',
        policy: 'p',
        vpcEndpoints: { added: ['vpce-0123456789abcdef0'], removed: [] }
      })
    ).toBe(true)
    expect(
      widens({
        action: 'detach',
        policy: 'p',
        principal: { type: 'user', name: 'a' }
      })
    ).toBe(true)
    expect(widens({ action: 'delete', policy: 'p' })).toBe(true)
    expect(
      widens({
        action: 'attach',
        policy: 'p',
        principal: { type: 'user', name: 'a' }
      })
    ).toBe(false)
    expect(
      widens({
        action: 'create',
        policy: 'p',
        cidrs: { added: ['192.0.2.0/24'], removed: [] }
      })
    ).toBe(false)
  })
})
