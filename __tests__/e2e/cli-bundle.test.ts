import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { startIamSandbox, type IamSandbox } from '../../sandbox/index.js'
import { ensureBuilt, ROOT } from './harness.js'

// The CLI as shipped: dist/cli/index.js in a child process.

const CLI = join(ROOT, 'dist', 'cli', 'index.js')
const EXAMPLE = 'examples/sagemaker-ip-allowlist.yml'
const run = promisify(execFile)

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env
      }
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

let sandbox: IamSandbox

beforeAll(async () => {
  ensureBuilt()
  sandbox = await startIamSandbox({ seed: 'examples/sandbox-seed.yml' })
}, 120_000)

afterAll(async () => {
  await sandbox.close()
})

describe('dist/cli/index.js', () => {
  it('validates the example and renders it', async () => {
    expect(await cli(['validate', '--config', EXAMPLE])).toEqual({
      code: 0,
      stdout: `${EXAMPLE}: valid, 2 policies\n`,
      stderr: ''
    })
    const rendered = await cli(['render', '--config', EXAMPLE])
    expect(rendered.code).toBe(0)
    expect(JSON.parse(rendered.stdout).policies).toHaveLength(2)
  })

  it('reports a bad file as FILE:LINE:COL and exits 1', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cli-bundle-')), 'bad.yml')
    writeFileSync(file, 'version: 1\npolicies:\n  p:\n    allow: [010.0.0.1]\n')
    const result = await cli(['validate', '--config', file])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(
      new RegExp(
        `^${file}:4:13: error: invalid CIDR "010\\.0\\.0\\.1": leading zero`,
        'm'
      )
    )
  })

  it('plans, applies and plans again against the local IAM endpoint', async () => {
    const env = {
      AWS_ENDPOINT_URL_IAM: sandbox.url,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1'
    }
    const before = await cli(
      ['plan', '--config', EXAMPLE, '--detailed-exitcode', '--format', 'json'],
      env
    )
    expect(before.code).toBe(2)
    expect(JSON.parse(before.stdout).summary).toEqual({
      create: 2,
      update: 0,
      attach: 5,
      detach: 0,
      delete: 0,
      orphan: 0
    })
    const applied = await cli(
      ['apply', '--config', EXAMPLE, '--format', 'json'],
      env
    )
    expect(applied.code).toBe(0)
    expect(JSON.parse(applied.stdout).status).toBe('applied')
    const after = await cli(
      ['plan', '--config', EXAMPLE, '--detailed-exitcode'],
      env
    )
    expect(after.code).toBe(0)
    expect(after.stdout).toContain('No changes: IAM matches the file.')
  })
})
