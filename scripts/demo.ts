/**
 * The main job on the bundled example, against the embedded IAM endpoint:
 * validate, plan, apply, and plan again to show that nothing is left to do.
 * It runs the built CLI (dist/cli/index.js) as a user would.
 *
 *   npm run demo
 */
import { spawn } from 'node:child_process'
import { isWriteAction, startIamSandbox } from '../sandbox/index.js'

const CONFIG = 'examples/sagemaker-ip-allowlist.yml'
const SEED = 'examples/sandbox-seed.yml'

const sandbox = await startIamSandbox({ seed: SEED })
const env = {
  ...process.env,
  AWS_ENDPOINT_URL_IAM: sandbox.url,
  // The sandbox checks no signature; any key pair will do.
  AWS_ACCESS_KEY_ID: 'demo',
  AWS_SECRET_ACCESS_KEY: 'demo',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'
}

/** Runs the CLI in a child process; the endpoint keeps answering meanwhile. */
async function step(
  title: string,
  args: string[],
  expected: number
): Promise<void> {
  console.log(`\n$ sagemaker-ip-allowlist ${args.join(' ')}    # ${title}`)
  const child = spawn(process.execPath, ['dist/cli/index.js', ...args], {
    env,
    stdio: 'inherit'
  })
  const status = await new Promise<number | null>(resolve =>
    child.on('exit', resolve)
  )
  if (status !== expected) {
    throw new Error(`"${args[0]}" exited ${status}; expected ${expected}`)
  }
}

try {
  console.log(`Local IAM endpoint at ${sandbox.url}, seeded from ${SEED}`)
  await step('check the file', ['validate', '--config', CONFIG], 0)
  await step(
    'what would change (exit 2: changes)',
    ['plan', '--config', CONFIG, '--detailed-exitcode'],
    2
  )
  await step('make IAM match the file', ['apply', '--config', CONFIG], 0)
  await step(
    'nothing left to do (exit 0)',
    ['plan', '--config', CONFIG, '--detailed-exitcode'],
    0
  )
  const calls = sandbox.calls()
  const writes = calls.filter(c => isWriteAction(c.action)).length
  console.log(`\nThe endpoint saw ${calls.length} IAM calls, ${writes} writes.`)
} finally {
  await sandbox.close()
}
