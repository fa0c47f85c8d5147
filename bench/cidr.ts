import { pathToFileURL } from 'node:url'
import { mergeCidr } from 'cidr-tools'
import {
  aggregate,
  formatCidr,
  parseCidrOrThrow,
  type Cidr
} from '../src/cidr.js'

// Prints how long the CIDR engine takes to parse and aggregate large inputs,
// beside cidr-tools' merge of the same text in the same process.

/** CIDRs per input set. */
const INPUT_SIZE = 100_000

/** Untimed runs before measuring, so the JIT has settled. */
const WARM_UP_RUNS = 3

/** Timed runs; the median is reported. */
const TIMED_RUNS = 7

/** Fixed, so every run of the benchmark sees the same input. */
const SEED = 0x5eed

/** The target for aggregating one input set. */
const TARGET_MS = 500

/** Runs the benchmark and prints one line per figure. */
export async function run(): Promise<void> {
  const random = mulberry32(SEED)
  const inputs = [
    { name: 'random mixed', texts: randomMixed(random, INPUT_SIZE) },
    { name: 'dense mixed', texts: denseMixed(random, INPUT_SIZE) }
  ]

  for (const { name, texts } of inputs) {
    const cidrs = texts.map(parseCidrOrThrow)
    const ours = aggregate(cidrs)
    const theirs = mergeCidr(texts)
    const label = `cidr ${name} ${texts.length}`

    const parse = median(() => texts.map(parseCidrOrThrow))
    const aggregated = median(() => aggregate(cidrs))
    const both = median(() => aggregate(texts.map(parseCidrOrThrow)))
    const merge = median(() => mergeCidr(texts))

    console.log(`${label}: ${ours.length} CIDRs after aggregation`)
    console.log(`${label} parse: ${ms(parse)}`)
    console.log(
      `${label} aggregate: ${ms(aggregated)} (cidr-tools merge: ${ms(merge)}, ratio ${ratio(aggregated, merge)})`
    )
    console.log(
      `${label} parse+aggregate: ${ms(both)} (cidr-tools merge: ${ms(merge)}, ratio ${ratio(both, merge)})`
    )
    console.log(
      `${label} aggregate within ${TARGET_MS} ms target: ${aggregated < TARGET_MS ? 'yes' : 'NO'}`
    )
    if (!sameText(ours, theirs)) {
      console.log(`${label}: RESULT DIFFERS from cidr-tools merge`)
    }
  }
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

/** Random networks over the whole address space: few of them merge. */
function randomMixed(random: () => number, count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    i % 2 === 0
      ? ipv4(random() * 2 ** 32, 8 + Math.floor(random() * 25))
      : ipv6(randomBits(random, 128), 16 + Math.floor(random() * 113))
  )
}

/** Networks crowded into small ranges, so most of them merge. */
function denseMixed(random: () => number, count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    i % 2 === 0
      ? ipv4(0x0a00_0000 + random() * 2 ** 22, 24 + Math.floor(random() * 9))
      : ipv6(
          (0x2001_0db8n << 96n) + randomBits(random, 22),
          120 + Math.floor(random() * 9)
        )
  )
}

function ipv4(address: number, prefix: number): string {
  const size = 2 ** (32 - prefix)
  const network = Math.floor(address / size) * size
  return formatCidr({ version: 4, network: BigInt(network), prefix })
}

function ipv6(address: bigint, prefix: number): string {
  const hostBits = BigInt(128 - prefix)
  const network = (address >> hostBits) << hostBits
  return formatCidr({ version: 6, network, prefix })
}

function randomBits(random: () => number, bits: number): bigint {
  let value = 0n
  for (let i = 0; i < bits; i += 16) {
    value = (value << 16n) | BigInt(Math.floor(random() * 0x1_0000))
  }
  return value >> BigInt(Math.ceil(bits / 16) * 16 - bits)
}

/** A small seeded generator, so inputs repeat from run to run. */
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

function sameText(ours: readonly Cidr[], theirs: readonly string[]): boolean {
  const canonical = theirs.map(text => formatCidr(parseCidrOrThrow(text)))
  return (
    canonical.length === ours.length &&
    ours.every((cidr, i) => formatCidr(cidr) === canonical[i])
  )
}

const ms = (value: number): string => `${value.toFixed(1)} ms`
const ratio = (ours: number, theirs: number): string =>
  (ours / theirs).toFixed(2)

if (
  process.argv[1] &&
  import.meta.url === pathToFileURL(process.argv[1]).href
) {
  await run()
}
