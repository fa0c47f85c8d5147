/** A command-line flag a command accepts. */
export interface FlagSpec {
  readonly name: string
  readonly kind: 'string' | 'boolean'
  readonly values?: readonly string[]
  readonly default?: string
  readonly placeholder?: string
  readonly description: string
}

export type ParsedFlags = Record<string, string | boolean | undefined>

export class UsageError extends Error {}

/**
 * Parses `--name value`, `--name=value` and boolean `--name`. Anything else,
 * including an unknown flag or a stray argument, is a usage error: a typo in
 * a flag of an infrastructure tool must not be silently ignored.
 */
export function parseFlags(
  argv: readonly string[],
  specs: readonly FlagSpec[]
): ParsedFlags {
  const out: ParsedFlags = {}
  for (const spec of specs) {
    if (spec.default !== undefined) out[spec.name] = spec.default
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (!arg.startsWith('--')) {
      throw new UsageError(`unexpected argument "${arg}"`)
    }
    const eq = arg.indexOf('=')
    const name = arg.slice(2, eq < 0 ? undefined : eq)
    const spec = specs.find(s => s.name === name)
    if (!spec) {
      const known = specs.map(s => `--${s.name}`).join(', ')
      throw new UsageError(
        `unknown flag "--${name}"; this command accepts ${known}`
      )
    }
    if (spec.kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`)
      out[name] = true
      continue
    }
    let value: string | undefined
    if (eq >= 0) {
      value = arg.slice(eq + 1)
    } else {
      value = argv[i + 1]
      i++
    }
    if (value === undefined || (eq < 0 && value.startsWith('--'))) {
      throw new UsageError(`--${name} needs a value`)
    }
    if (spec.values && !spec.values.includes(value)) {
      throw new UsageError(
        `--${name} must be one of ${spec.values.join(', ')}, not "${value}"`
      )
    }
    out[name] = value
  }
  return out
}

/** The flags section of a command's help. */
export function flagHelp(specs: readonly FlagSpec[]): string {
  const rows = specs.map(s => {
    const value =
      s.kind === 'boolean'
        ? ''
        : ` ${s.placeholder ?? (s.values ? s.values.join('|') : 'VALUE')}`
    const fallback = s.default !== undefined ? ` (default: ${s.default})` : ''
    return [`--${s.name}${value}`, `${s.description}${fallback}`]
  })
  const width = Math.max(...rows.map(([left]) => left.length))
  return rows
    .map(([left, right]) => `  ${left.padEnd(width)}  ${right}`)
    .join('\n')
}
