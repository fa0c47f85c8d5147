/**
 * Runs every benchmark and prints its figures. Speed targets are measured
 * here, never asserted in tests.
 *
 *   npm run bench
 */
const BENCHMARKS = ['cidr', 'config', 'sandbox', 'plan-apply', 'cold-start']

for (const name of BENCHMARKS) {
  console.log(`\n== ${name}`)
  const bench = (await import(`./${name}.js`)) as { run(): Promise<void> }
  await bench.run()
}
