import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  connectIamSandbox,
  type RemoteSandbox,
  type SeedFixture
} from '../sandbox/index.js'

/**
 * Starts the IAM sandbox in a process of its own, so that its work runs on
 * the other core and the benchmark charges the tool only for the tool, as
 * it would be against IAM.
 */
export async function startRemoteSandbox(
  seed: SeedFixture,
  dir: string
): Promise<RemoteSandbox & { close(): Promise<void> }> {
  const seedFile = join(dir, 'seed.json')
  writeFileSync(seedFile, JSON.stringify(seed))
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'sandbox/cli.ts', '--seed', seedFile],
    {
      stdio: ['ignore', 'pipe', 'inherit']
    }
  )
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (match) resolve(match[1])
    })
    child.on('exit', code =>
      reject(new Error(`the IAM sandbox exited with ${code}`))
    )
  })
  const remote = connectIamSandbox(url)
  return {
    ...remote,
    close: () =>
      new Promise<void>(resolve => {
        child.on('exit', () => resolve())
        child.kill('SIGTERM')
      })
  }
}
