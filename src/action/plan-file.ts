/**
 * Writes the JSON plan where later steps of the job can read it, and says
 * where: the `plan-json` output.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Plan } from '../plan/types.js'
import { planJsonText } from '../report/plan-json.js'

/** The folder under the runner's temporary directory. */
const PLAN_FOLDER = 'sagemaker-ip-allowlist'

/**
 * The file name for a config path: one file per config, so two steps for
 * two files in one job do not overwrite each other.
 */
export function planFileName(configPath: string): string {
  const slug = configPath
    .replace(/\\/g, '/')
    .replace(/^\.?\/+/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
  return `${slug || 'config'}.plan.json`
}

/**
 * Writes `planJsonText(plan)` under RUNNER_TEMP (the OS temporary directory
 * outside a runner) and returns the path.
 */
export function writePlanFile(
  plan: Plan,
  configPath: string,
  env: Readonly<Record<string, string | undefined>>
): string {
  const folder = join(env.RUNNER_TEMP || tmpdir(), PLAN_FOLDER)
  mkdirSync(folder, { recursive: true })
  const path = join(folder, planFileName(configPath))
  writeFileSync(path, planJsonText(plan), 'utf8')
  return path
}
