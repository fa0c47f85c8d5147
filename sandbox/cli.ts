import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import { startIamSandbox } from './server.js'

const USAGE = `Usage: npm run sandbox -- [options]

Starts a local IAM endpoint on 127.0.0.1 and prints its URL.
Point the AWS SDK or CLI at it with AWS_ENDPOINT_URL_IAM=<url>.
Ctrl-C stops it.

Options:
  --port N          port to listen on (default: one the OS picks)
  --seed FILE       initial state from a .yml, .yaml or .json fixture
                    (e.g. examples/sandbox-seed.yml)
  --random-seed N   seed of the fault PRNG (default 1)
  --account-id ID   12-digit account id used in ARNs (default 123456789012)
  -h, --help        print this help

Admin routes (JSON): GET /_sandbox, GET|DELETE /_sandbox/calls,
GET /_sandbox/state, GET|POST /_sandbox/faults, POST /_sandbox/reset,
POST /_sandbox/seed
`

/** Parses the command line, starts the sandbox and waits for a signal. */
export async function main(argv: string[]): Promise<number> {
  let values
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        seed: { type: 'string' },
        'random-seed': { type: 'string' },
        'account-id': { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      },
      strict: true,
      allowPositionals: false
    }))
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`)
    return 2
  }
  if (values.help) {
    process.stdout.write(USAGE)
    return 0
  }

  const port = integerOption('--port', values.port, 0, 65535)
  const randomSeed = integerOption(
    '--random-seed',
    values['random-seed'],
    0,
    2 ** 32 - 1
  )
  const accountId = values['account-id']
  if (port === null || randomSeed === null) return 2
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) {
    process.stderr.write(
      `--account-id '${accountId}' is not a 12-digit account id\n`
    )
    return 2
  }

  let sandbox
  try {
    sandbox = await startIamSandbox({
      port,
      seed: values.seed,
      randomSeed,
      accountId
    })
  } catch (error) {
    process.stderr.write(
      `IAM sandbox did not start: ${(error as Error).message}\n`
    )
    return 1
  }

  process.stdout.write(
    `IAM sandbox listening on ${sandbox.url}\n` +
      `  export AWS_ENDPOINT_URL_IAM=${sandbox.url}\n` +
      `  state: ${sandbox.url}/_sandbox/state  calls: ${sandbox.url}/_sandbox/calls\n` +
      'Press Ctrl-C to stop.\n'
  )

  const running = sandbox
  await new Promise<void>(resolve => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      void running.close().then(resolve)
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  process.stdout.write('IAM sandbox stopped.\n')
  return 0
}

function integerOption(
  flag: string,
  value: string | undefined,
  min: number,
  max: number
): number | undefined | null {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max) {
    process.stderr.write(
      `${flag} '${value}' must be an integer from ${min} to ${max}\n`
    )
    return null
  }
  return n
}

if (
  process.argv[1] &&
  import.meta.url === pathToFileURL(process.argv[1]).href
) {
  main(process.argv.slice(2)).then(
    code => process.exit(code),
    error => {
      process.stderr.write(`${String(error)}\n`)
      process.exit(1)
    }
  )
}
