/**
 * Runs the CLI in a process of its own, as src/cli/index.ts does, but with
 * a gateway that never waits on backoff. Tests spawn it to see what a real
 * process prints and how it exits, crashes included.
 *
 *   node --import tsx __tests__/plan/cli-child.ts plan --config FILE
 */
import { main } from '../../src/cli/main.js'
import { createIamClient } from '../../src/iam/client.js'
import { SdkIamGateway } from '../../src/iam/gateway.js'

const client = createIamClient({ retryDelayMs: () => 1 })
process.exitCode = await main(process.argv.slice(2), {
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
  env: process.env,
  iam: new SdkIamGateway(client, { sleep: async () => {} })
})
client.destroy()
