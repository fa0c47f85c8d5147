import { seededRandom, type Random } from './prng.js'
import type { FaultKind, FaultRule } from './types.js'

/** How long a 'hang' holds a call unless the rule says otherwise. */
export const DEFAULT_HANG_MS = 60_000
/** Added delay of a 'latency' rule that gives no latencyMs. */
export const DEFAULT_LATENCY_MS = 100
/** PRNG seed used when none is given, so runs replay by default. */
export const DEFAULT_RANDOM_SEED = 1

const FAULT_KINDS: readonly FaultKind[] = [
  'throttle',
  'access-denied',
  'status-500',
  'status-503',
  'latency',
  'drop',
  'hang'
]

/** Faults that end a call instead of only delaying it. */
export type TerminalFault = Exclude<FaultKind, 'latency'>

/** What the injector decided for one call. */
export interface FaultDecision {
  /** Every rule that fired, in rule order. */
  fired: FaultKind[]
  /** Total added latency before the call is answered. */
  delayMs: number
  /** The first terminal fault that fired, if any; later ones are ignored. */
  terminal?: TerminalFault
  /** How long to hold a hung call. */
  hangMs: number
}

interface ActiveRule {
  rule: FaultRule
  actions?: Set<string>
  nth?: Set<number>
  matched: number
}

/**
 * Decides, call by call, which faults fire. Every matching rule counts the
 * call and, when it has a rate, draws from the PRNG whether or not another
 * rule already fired: the same seed and the same calls give the same faults.
 */
export class FaultInjector {
  private rules: ActiveRule[] = []
  private random: Random = seededRandom(DEFAULT_RANDOM_SEED)

  constructor(rules: FaultRule[] = [], randomSeed?: number) {
    this.set(rules, randomSeed)
  }

  /** Replaces the rules, resets their counters and reseeds the PRNG. */
  set(rules: FaultRule[], randomSeed = DEFAULT_RANDOM_SEED): void {
    rules.forEach(checkRule)
    this.rules = rules.map(rule => ({
      rule: { ...rule },
      actions: rule.actions ? new Set(rule.actions) : undefined,
      nth: rule.nth ? new Set(rule.nth) : undefined,
      matched: 0
    }))
    this.random = seededRandom(randomSeed)
  }

  /** The rules in force, as given. */
  list(): FaultRule[] {
    return this.rules.map(r => ({ ...r.rule }))
  }

  decide(action: string): FaultDecision {
    const decision: FaultDecision = { fired: [], delayMs: 0, hangMs: 0 }
    if (this.rules.length === 0) return decision

    for (const active of this.rules) {
      if (active.actions && !active.actions.has(action)) continue
      active.matched++
      if (!this.fires(active)) continue

      const { kind, latencyMs } = active.rule
      decision.fired.push(kind)
      if (kind === 'latency') {
        decision.delayMs += latencyMs ?? DEFAULT_LATENCY_MS
      } else if (decision.terminal === undefined) {
        decision.terminal = kind
        if (kind === 'hang') decision.hangMs = latencyMs ?? DEFAULT_HANG_MS
      }
    }
    return decision
  }

  private fires(active: ActiveRule): boolean {
    const { rate } = active.rule
    const byNth = active.nth?.has(active.matched) ?? false
    // Draw even when nth already fired, so the sequence does not depend on it.
    const byRate = rate !== undefined && this.random() < rate
    if (active.nth === undefined && rate === undefined) return true
    return byNth || byRate
  }
}

function checkRule(rule: FaultRule, index: number): void {
  const where = `fault rule ${index + 1}`
  if (!FAULT_KINDS.includes(rule.kind)) {
    throw new Error(
      `${where}: unknown kind '${String(rule.kind)}'; use one of ${FAULT_KINDS.join(', ')}`
    )
  }
  if (
    rule.rate !== undefined &&
    !(typeof rule.rate === 'number' && rule.rate >= 0 && rule.rate <= 1)
  ) {
    throw new Error(`${where}: rate must be a number from 0 to 1`)
  }
  if (
    rule.nth !== undefined &&
    !(
      Array.isArray(rule.nth) &&
      rule.nth.every(n => Number.isInteger(n) && n >= 1)
    )
  ) {
    throw new Error(`${where}: nth must list call numbers from 1 up`)
  }
  if (
    rule.latencyMs !== undefined &&
    !(typeof rule.latencyMs === 'number' && rule.latencyMs >= 0)
  ) {
    throw new Error(`${where}: latencyMs must be a number of milliseconds >= 0`)
  }
  if (
    rule.actions !== undefined &&
    !(
      Array.isArray(rule.actions) &&
      rule.actions.every(a => typeof a === 'string')
    )
  ) {
    throw new Error(`${where}: actions must be a list of IAM action names`)
  }
}
