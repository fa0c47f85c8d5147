import { readFileSync, statSync } from 'node:fs'
import {
  aggregate,
  compareCidrs,
  cidrContains,
  formatCidr,
  isUniversal,
  nonInternetRange,
  parseCidr,
  type Cidr,
  type NonInternetKind
} from '../cidr.js'
import { resolveAction, resourceTypesFor, DEFAULT_ACTIONS } from './actions.js'
import {
  CONFIG_SHAPE,
  DEFAULT_CONCURRENCY,
  DEFAULT_POLICY_NAME_PREFIX,
  DEFAULT_POLICY_PATH
} from './definition.js'
import { DiagnosticSink, type Diagnostic, type Loc } from './diagnostics.js'
import {
  checkDescription,
  checkPath,
  checkPolicyName,
  checkPrincipalName,
  checkVpcEndpointId,
  parseSageMakerArn
} from './iam-rules.js'
import {
  PRINCIPAL_KEYS,
  PRINCIPAL_TYPES,
  type Allowlist,
  type AllowlistEntry,
  type Config,
  type PolicySpec,
  type PrincipalType,
  type Settings
} from './model.js'
import { didYouMean } from './suggest.js'
import { childPath, INVALID, readYaml, type Locations } from './yaml-reader.js'

/** How the warning names each kind of range the internet never sends from. */
const RANGE_LABEL: Record<NonInternetKind, string> = {
  private: 'private',
  shared: 'shared (carrier-grade NAT)',
  'this-network': '"this network"',
  loopback: 'loopback',
  'link-local': 'link-local',
  'unique-local': 'unique local',
  'ipv4-mapped-private': 'IPv4-mapped private'
}

/** Files larger than this are refused before parsing. */
export const MAX_CONFIG_BYTES = 1024 * 1024

export interface LoadResult {
  /** Present only when there are no errors. */
  readonly config?: Config
  /** Errors and warnings, in file order. */
  readonly diagnostics: Diagnostic[]
}

/** Reads and validates a config file. Never throws for a bad file. */
export function loadConfigFile(file: string): LoadResult {
  const sink = new DiagnosticSink(file)
  const start: Loc = { line: 1, col: 1 }
  let size: number
  try {
    size = statSync(file).size
  } catch {
    sink.error(
      start,
      `cannot read the config file: it does not exist (give its path with --config, or the "config" input)`
    )
    return { diagnostics: sink.diagnostics }
  }
  if (size > MAX_CONFIG_BYTES) {
    sink.error(
      start,
      `the config file is ${size} bytes; files over ${MAX_CONFIG_BYTES} bytes (1 MiB) are refused`
    )
    return { diagnostics: sink.diagnostics }
  }
  return parseConfig(readFileSync(file, 'utf8'), file)
}

/** Validates config text; `file` is the name used in diagnostics. */
export function parseConfig(text: string, file: string): LoadResult {
  const sink = new DiagnosticSink(file)
  if (Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES) {
    sink.error(
      { line: 1, col: 1 },
      `the config file is over ${MAX_CONFIG_BYTES} bytes (1 MiB) and is refused`
    )
    return { diagnostics: sink.diagnostics }
  }

  // Shape errors leave the offending values out of `value`; the semantic
  // checks still run on the rest, so every mistake is reported at once.
  const { value, locations } = readYaml(text, CONFIG_SHAPE, sink)
  if (value === undefined) return { diagnostics: sink.diagnostics }
  const config = new Checker(file, value as RawConfig, locations, sink).check()
  return sink.hasErrors
    ? { diagnostics: sink.diagnostics }
    : { config, diagnostics: sink.diagnostics }
}

type RawEntry = string | { cidr?: string; note?: string } | typeof INVALID

interface RawPolicy {
  description?: string
  allow?: (string | typeof INVALID)[]
  actions?: (string | typeof INVALID)[]
  resources?: (string | typeof INVALID)[]
  'vpc-endpoints'?: (string | typeof INVALID)[]
  attach?: Partial<
    Record<'users' | 'groups' | 'roles', (string | typeof INVALID)[]>
  >
}

interface RawConfig {
  version?: number
  settings?: {
    'policy-name-prefix'?: string
    'policy-path'?: string
    prune?: boolean
    concurrency?: number
  }
  allowlists?: Record<string, RawEntry[] | typeof INVALID>
  policies?: Record<string, RawPolicy | typeof INVALID>
}

/** A CIDR with where it was written, for overlap reports. */
interface Sourced {
  cidr: Cidr
  text: string
  loc: Loc
  source: string
}

class Checker {
  constructor(
    private readonly file: string,
    private readonly raw: RawConfig,
    private readonly locs: Locations,
    private readonly sink: DiagnosticSink
  ) {}

  check(): Config {
    const settings = this.settings()
    const allowlists = this.allowlists()
    const policies = this.policies(settings, allowlists)
    this.unusedAllowlists(allowlists, policies)
    this.intersections(policies)
    return {
      file: this.file,
      version: 1,
      settings,
      allowlists: [...allowlists.values()],
      policies
    }
  }

  private settings(): Settings {
    const raw = this.raw.settings ?? {}
    const policyPath = raw['policy-path'] ?? DEFAULT_POLICY_PATH
    const pathProblem = checkPath(policyPath)
    if (pathProblem)
      this.sink.error(this.locs.of('settings.policy-path'), pathProblem)
    return {
      policyNamePrefix: raw['policy-name-prefix'] ?? DEFAULT_POLICY_NAME_PREFIX,
      policyPath,
      prune: raw.prune ?? false,
      concurrency: raw.concurrency ?? DEFAULT_CONCURRENCY
    }
  }

  private allowlists(): Map<string, Allowlist> {
    const out = new Map<string, Allowlist>()
    for (const [name, raw] of Object.entries(this.raw.allowlists ?? {})) {
      const path = childPath('allowlists', name)
      const entries = raw === INVALID ? [] : raw
      const parsed: AllowlistEntry[] = []
      entries.forEach((entry, index) => {
        if (entry === INVALID) return
        const entryPath = childPath(path, index)
        const text = typeof entry === 'string' ? entry : entry.cidr
        if (text === undefined) return
        const loc = this.locs.of(
          typeof entry === 'string' ? entryPath : `${entryPath}.cidr`
        )
        const cidr = this.cidr(text, loc)
        if (!cidr) return
        const note = typeof entry === 'string' ? undefined : entry.note
        parsed.push(
          note === undefined ? { text, cidr, loc } : { text, cidr, note, loc }
        )
      })
      if (raw !== INVALID && entries.length === 0) {
        this.sink.error(
          this.locs.of(path),
          `allowlist "${name}" is empty; a policy that admits it would admit no address (add CIDRs or remove it)`
        )
      }
      this.overlapsWithin(
        parsed.map(e => ({ ...e, source: name })),
        `allowlist "${name}"`
      )
      out.set(name, { name, entries: parsed, loc: this.locs.keyOf(path) })
    }
    return out
  }

  /** Parses one CIDR, reporting every problem at its location. */
  private cidr(text: string, loc: Loc): Cidr | undefined {
    const result = parseCidr(text)
    if (!result.ok) {
      const fix = result.fix ? `; ${result.fix}` : ''
      this.sink.error(loc, `invalid CIDR "${text}": ${result.reason}${fix}`)
      return undefined
    }
    const { cidr } = result
    if (isUniversal(cidr)) {
      this.sink.error(
        loc,
        `"${text}" admits every IPv${cidr.version} address, so the policy would deny nothing over IPv${cidr.version}; remove it and list the ranges that should connect`
      )
      return undefined
    }
    const special = nonInternetRange(cidr)
    if (special) {
      this.sink.warning(
        loc,
        `"${text}" is inside the ${RANGE_LABEL[special.kind]} range ${special.range}: requests from the internet never carry such a source address, so it admits nobody (calls through VPC endpoints carry no aws:SourceIp at all; use vpc-endpoints for those)`
      )
    }
    return cidr
  }

  /** Warns about CIDRs covered by another in the same list; they are merged. */
  private overlapsWithin(
    items: Sourced[],
    where: string,
    onlyAcrossSources = false
  ): void {
    const sorted = [...items].sort((a, b) => compareCidrs(a.cidr, b.cidr))
    let cover: Sourced | undefined
    for (const item of sorted) {
      if (
        cover &&
        cover.cidr.version === item.cidr.version &&
        cidrContains(cover.cidr, item.cidr)
      ) {
        if (!onlyAcrossSources || cover.source !== item.source) {
          const same = compareCidrs(cover.cidr, item.cidr) === 0
          const relation = same ? 'repeats' : 'is inside'
          const from =
            cover.source === item.source ? '' : ` from "${cover.source}"`
          this.sink.warning(
            item.loc,
            `"${item.text}" ${relation} "${cover.text}"${from} (line ${cover.loc.line}) in ${where}; they are merged`
          )
        }
        continue
      }
      cover = item
    }
  }

  private policies(
    settings: Settings,
    allowlists: Map<string, Allowlist>
  ): PolicySpec[] {
    const raw = this.raw.policies ?? {}
    const keys = Object.keys(raw)
    if (this.raw.policies !== undefined && keys.length === 0) {
      this.sink.error(
        this.locs.of('policies'),
        'policies is empty; define at least one policy'
      )
    }
    return keys.flatMap(key => {
      const policy = raw[key]
      return policy === INVALID
        ? []
        : [this.policy(key, policy, settings, allowlists)]
    })
  }

  private policy(
    key: string,
    raw: RawPolicy,
    settings: Settings,
    allowlists: Map<string, Allowlist>
  ): PolicySpec {
    const path = childPath('policies', key)
    const loc = this.locs.keyOf(path)
    const name = settings.policyNamePrefix + key
    const nameProblem = checkPolicyName(name)
    if (nameProblem) this.sink.error(loc, nameProblem)

    const description =
      raw.description ?? `SageMaker source-IP allowlist "${key}"`
    const descriptionProblem = checkDescription(description)
    if (descriptionProblem) {
      this.sink.error(this.locs.of(`${path}.description`), descriptionProblem)
    }

    const { names, cidrs } = this.allow(key, raw.allow, allowlists)
    const { actions, covers } = this.actions(path, raw.actions)
    const resources = this.resources(path, raw.resources, covers)
    const vpcEndpoints = this.strings(
      raw['vpc-endpoints'],
      `${path}.vpc-endpoints`,
      id => checkVpcEndpointId(id)
    )
    const attach = {
      users: this.principals(path, raw.attach, 'user'),
      groups: this.principals(path, raw.attach, 'group'),
      roles: this.principals(path, raw.attach, 'role')
    }
    if (
      attach.users.length + attach.groups.length + attach.roles.length ===
      0
    ) {
      this.sink.warning(
        loc,
        `policy "${key}" is attached to no user, group or role, so it guards nobody (add attach.users, attach.groups or attach.roles)`
      )
    }

    const locate = (k: 'users' | 'groups' | 'roles') =>
      attach[k].map(name =>
        this.locs.of(
          childPath(`${path}.attach.${k}`, raw.attach?.[k]?.indexOf(name) ?? 0)
        )
      )
    const spec: PolicySpec = {
      key,
      name,
      description,
      allowlists: names,
      cidrs,
      actions,
      resources,
      vpcEndpoints,
      attach,
      attachLocs: {
        users: locate('users'),
        groups: locate('groups'),
        roles: locate('roles')
      },
      loc
    }
    this.covers.set(spec, covers)
    return spec
  }

  /** Concrete actions each policy covers, for the intersection check. */
  private readonly covers = new Map<PolicySpec, string[]>()

  private allow(
    key: string,
    raw: (string | typeof INVALID)[] | undefined,
    allowlists: Map<string, Allowlist>
  ): { names: string[]; cidrs: Cidr[] } {
    const entries = raw ?? []
    const path = childPath(childPath('policies', key), 'allow')
    const names: string[] = []
    const sourced: Sourced[] = []
    entries.forEach((entry, index) => {
      if (entry === INVALID) return
      const loc = this.locs.of(childPath(path, index))
      const list = allowlists.get(entry)
      if (list) {
        if (names.includes(entry)) {
          this.sink.warning(
            loc,
            `allowlist "${entry}" is named twice in ${path}`
          )
          return
        }
        names.push(entry)
        sourced.push(...list.entries.map(e => ({ ...e, source: entry })))
        return
      }
      // Addresses always hold a dot, a colon or a slash; names never do.
      if (!/[.:/]/.test(entry)) {
        const known = [...allowlists.keys()]
        this.sink.error(
          loc,
          `unknown allowlist "${entry}"${didYouMean(entry, known)}; defined allowlists: ${known.length ? known.join(', ') : 'none'} (or write a CIDR)`
        )
        return
      }
      const cidr = this.cidr(entry, loc)
      if (cidr) sourced.push({ cidr, text: entry, loc, source: 'allow' })
    })

    if (raw !== undefined && entries.length === 0) {
      this.sink.error(
        this.locs.of(path),
        `policy "${key}" allows nothing: every request would be denied and its principals locked out; list at least one allowlist or CIDR under allow`
      )
    }
    this.overlapsWithin(sourced, `policy "${key}"`, true)

    const cidrs = aggregate(sourced.map(s => s.cidr))
    for (const c of cidrs) {
      if (isUniversal(c) && !sourced.some(s => isUniversal(s.cidr))) {
        this.sink.error(
          this.locs.of(path),
          `together, the ranges of policy "${key}" cover every IPv${c.version} address (${formatCidr(c)}), so it would deny nothing over IPv${c.version}; narrow them`
        )
      }
    }
    return { names, cidrs }
  }

  private actions(
    path: string,
    entries: (string | typeof INVALID)[] | undefined
  ): { actions: string[]; covers: string[] } {
    const actions = new Set<string>()
    const covers = new Set<string>()
    const list = entries ?? DEFAULT_ACTIONS
    if (entries && entries.length === 0) {
      this.sink.error(
        this.locs.of(`${path}.actions`),
        'actions is empty; name at least one (for example notebook), or remove the key to use the default'
      )
    }
    list.forEach((entry, index) => {
      if (entry === INVALID) return
      const resolved = resolveAction(entry)
      if (!resolved.ok) {
        this.sink.error(
          this.locs.of(childPath(`${path}.actions`, index)),
          resolved.message
        )
        return
      }
      resolved.actions.forEach(a => actions.add(a))
      resolved.covers.forEach(a => covers.add(a))
    })
    return { actions: [...actions].sort(), covers: [...covers].sort() }
  }

  private resources(
    path: string,
    entries: (string | typeof INVALID)[] | undefined,
    covers: string[]
  ): string[] {
    const types = resourceTypesFor(covers)
    const out = this.strings(
      entries ?? ['*'],
      `${path}.resources`,
      resource => {
        if (resource === '*') return undefined
        const arn = parseSageMakerArn(resource)
        if (!arn.ok) return arn.message
        if (types && !types.has(arn.resourceType)) {
          return `"${resource}" is a ${arn.resourceType} ARN, but the policy's actions act on ${[...types].join(', ')}; the policy would never match it`
        }
        return undefined
      }
    )
    if (entries && entries.length === 0) {
      this.sink.error(
        this.locs.of(`${path}.resources`),
        "resources is empty; write ['*'] or remove the key to cover every resource"
      )
    }
    if (out.includes('*') && out.length > 1) {
      this.sink.warning(
        this.locs.of(`${path}.resources`),
        "resources lists '*' beside ARNs; '*' already covers them"
      )
      return ['*']
    }
    return out
  }

  /** Checks each string of a list; returns the valid ones, unique, in order. */
  private strings(
    entries: (string | typeof INVALID)[] | undefined,
    path: string,
    problem: (value: string) => string | undefined
  ): string[] {
    const out: string[] = []
    ;(entries ?? []).forEach((entry, index) => {
      if (entry === INVALID) return
      const loc = this.locs.of(childPath(path, index))
      const message = problem(entry)
      if (message) {
        this.sink.error(loc, message)
      } else if (out.includes(entry)) {
        this.sink.warning(loc, `"${entry}" is listed twice in ${path}`)
      } else {
        out.push(entry)
      }
    })
    return out
  }

  private principals(
    path: string,
    attach: RawPolicy['attach'],
    type: PrincipalType
  ): string[] {
    const key = PRINCIPAL_KEYS[type]
    return this.strings(attach?.[key], `${path}.attach.${key}`, name =>
      checkPrincipalName(type, name)
    )
  }

  private unusedAllowlists(
    allowlists: Map<string, Allowlist>,
    policies: PolicySpec[]
  ): void {
    const used = new Set(policies.flatMap(p => p.allowlists))
    for (const list of allowlists.values()) {
      if (!used.has(list.name)) {
        this.sink.warning(
          list.loc,
          `allowlist "${list.name}" is not used by any policy`
        )
      }
    }
  }

  /**
   * Two Deny + NotIpAddress policies on one principal intersect: a request is
   * denied when it is outside either list, so the principal could connect
   * only from addresses in both. That is never what a file means, so it is
   * an error wherever the file shows it directly.
   */
  private intersections(policies: PolicySpec[]): void {
    for (const type of PRINCIPAL_TYPES) {
      const key = PRINCIPAL_KEYS[type]
      const seen = new Map<string, PolicySpec[]>()
      for (const policy of policies) {
        for (const name of policy.attach[key]) {
          const earlier = seen.get(name) ?? []
          const clash = earlier.find(other => this.shareAction(other, policy))
          if (clash) {
            const index = policy.attach[key].indexOf(name)
            const shared = this.sharedActions(clash, policy)
            this.sink.error(
              this.locs.of(
                childPath(`policies.${policy.key}.attach.${key}`, index)
              ),
              `${type} "${name}" is attached to both "${clash.key}" (line ${clash.loc.line}) and "${policy.key}", which both deny ${shared}: two Deny policies on one principal intersect, so ${name} could connect only from addresses allowed by both lists; give ${name} one policy whose allow names every allowlist it needs`
            )
          }
          seen.set(name, [...earlier, policy])
        }
      }
    }
  }

  private shareAction(a: PolicySpec, b: PolicySpec): boolean {
    const other = new Set(this.covers.get(b))
    return (this.covers.get(a) ?? []).some(x => other.has(x))
  }

  private sharedActions(a: PolicySpec, b: PolicySpec): string {
    const other = new Set(this.covers.get(b))
    const shared = (this.covers.get(a) ?? []).filter(x => other.has(x))
    return shared.length > 3
      ? `${shared.slice(0, 3).join(', ')} and ${shared.length - 3} more`
      : shared.join(', ')
  }
}
