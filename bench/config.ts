import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { formatDiagnostic } from '../src/config/diagnostics.js'
import { loadDesiredState } from '../src/desired.js'
import { MANAGED_POLICY_SIZE_LIMIT } from '../src/render.js'

// Prints how long validating and rendering a large config file takes: the
// work every plan, PR comment and apply starts with.

/** Allowlist entries in the generated file. */
const ENTRY_COUNT = 5_000

/** Allowlists the entries are spread across. */
const ALLOWLIST_COUNT = 50

/** Policies; each admits two neighbouring allowlists. */
const POLICY_COUNT = 50

/** Untimed runs before measuring, so the JIT has settled. */
const WARM_UP_RUNS = 1

/** Timed runs; the median is reported. */
const TIMED_RUNS = 5

/** Fixed, so every run of the benchmark sees the same file. */
const SEED = 0xc0ffee

/** The target for validating and rendering the whole file. */
const TARGET_MS = 1000

const PRESETS = ['notebook', 'studio', 'mlflow', 'partner-app']

/** Runs the benchmark and prints one line per figure. */
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-config-'))
  try {
    const file = join(dir, 'sagemaker-ip-allowlist.yml')
    const text = configText(mulberry32(SEED))
    writeFileSync(file, text)

    const result = loadDesiredState(file)
    const time = median(() => loadDesiredState(file))
    const errors = result.diagnostics.filter(d => d.severity === 'error')
    const warnings = result.diagnostics.length - errors.length
    const sizes = (result.desired?.policies ?? []).map(p => p.size)

    console.log(
      `validate + render of ${ENTRY_COUNT} entries: ${time.toFixed(1)} ms (target < ${TARGET_MS} ms)`
    )
    console.log(
      `validate + render within ${TARGET_MS} ms target: ${time < TARGET_MS ? 'yes' : 'NO'}`
    )
    console.log(
      `config file: ${(text.length / 1024).toFixed(0)} KiB, ${ALLOWLIST_COUNT} allowlists, ${POLICY_COUNT} policies`
    )
    console.log(
      `diagnostics: ${result.diagnostics.length} (${errors.length} errors, ${warnings} warnings)`
    )
    console.log(
      `policies rendered: ${sizes.length}, largest ${Math.max(0, ...sizes)} of ${MANAGED_POLICY_SIZE_LIMIT} characters`
    )
    for (const error of errors.slice(0, 5)) {
      console.log(`  ${formatDiagnostic(error)}`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * A valid file: every entry is its own block (IPv4 blocks differ in their
 * first two octets, IPv6 blocks in their second and third groups), so there
 * is nothing to warn about, and two lists of a hundred stay well under the
 * size limit. A few entries are bare addresses, some carry a note.
 */
function configText(random: () => number): string {
  const perList = ENTRY_COUNT / ALLOWLIST_COUNT
  const lines = ['version: 1', 'allowlists:']

  for (let list = 0; list < ALLOWLIST_COUNT; list++) {
    lines.push(`  site-${list}:`)
    for (let entry = 0; entry < perList; entry++) {
      const cidr = entryCidr(list, entry, random)
      if (entry % 5 === 0) {
        lines.push(
          `    - cidr: ${cidr}`,
          `      note: site ${list} link ${entry}`
        )
      } else {
        lines.push(`    - ${cidr}`)
      }
    }
  }

  lines.push('policies:')
  for (let policy = 0; policy < POLICY_COUNT; policy++) {
    const next = (policy + 1) % ALLOWLIST_COUNT
    lines.push(
      `  team-${policy}:`,
      `    description: Notebooks of team ${policy}`,
      `    allow: [site-${policy % ALLOWLIST_COUNT}, site-${next}]`,
      `    actions: [${PRESETS[policy % PRESETS.length]}]`
    )
    if (policy % 5 === 0) {
      const id = (0x0a1b2c3d4e5f60000n + BigInt(policy)).toString(16)
      lines.push(`    vpc-endpoints: [vpce-${id.padStart(17, '0')}]`)
    }
    lines.push(
      '    attach:',
      `      users: [user-${policy}]`,
      `      groups: [group-${policy}]`,
      `      roles: [Role${policy}]`
    )
  }
  return lines.join('\n') + '\n'
}

/** One entry; first octets 20 to 69 hold no private or special range. */
function entryCidr(list: number, entry: number, random: () => number): string {
  if (entry % 2 === 0) {
    const base = `${20 + list}.${entry}`
    if (entry % 6 === 0) return `${base}.1.${1 + Math.floor(random() * 254)}`
    const prefix = 24 + Math.floor(random() * 5)
    return `${base}.${Math.floor(random() * 256)}.0/${prefix}`
  }
  const group = (0x1000 + list).toString(16)
  if (entry % 9 === 0) return `2a05:${group}:${entry.toString(16)}::1`
  const prefix = 48 + Math.floor(random() * 17)
  return `2a05:${group}:${entry.toString(16)}::/${prefix}`
}

/** The median wall time of `work` in milliseconds, after warm-up runs. */
function median(work: () => unknown): number {
  for (let i = 0; i < WARM_UP_RUNS; i++) work()

  const times: number[] = []
  for (let i = 0; i < TIMED_RUNS; i++) {
    const start = process.hrtime.bigint()
    work()
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}

/** A small seeded generator, so the file repeats from run to run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

if (
  process.argv[1] &&
  import.meta.url === pathToFileURL(process.argv[1]).href
) {
  await run()
}
