import { DEFAULT_CONFIG_PATH, MAX_CONCURRENCY } from '../config/definition.js'
import { formatDiagnostic, type Diagnostic } from '../config/diagnostics.js'
import { loadDesiredState } from '../desired.js'
import { createIamClient } from '../iam/client.js'
import { IamCallError } from '../iam/errors.js'
import { SdkIamGateway } from '../iam/gateway.js'
import type { IamGateway } from '../iam/types.js'
import { hasChanges, type Plan } from '../plan/types.js'
import { planJsonText } from '../report/plan-json.js'
import { planMarkdown } from '../report/plan-markdown.js'
import { planText } from '../report/plan-text.js'
import { planConfigFile } from '../run-plan.js'
import { applyConfigFile } from '../apply/apply.js'
import { applyJson, applyText } from '../report/apply-report.js'
import {
  renderedPoliciesJson,
  renderedPoliciesText
} from '../report/render-text.js'
import { TOOL_NAME, TOOL_VERSION } from '../version.js'
import {
  flagHelp,
  parseFlags,
  UsageError,
  type FlagSpec,
  type ParsedFlags
} from './args.js'

/** Where the CLI writes and what it reads; injected so tests need no process. */
export interface CliIo {
  stdout(text: string): void
  stderr(text: string): void
  env: Record<string, string | undefined>
  /** The IAM gateway; built from the environment when absent. */
  iam?: IamGateway
}

function gatewayFor(io: CliIo): IamGateway {
  return io.iam ?? new SdkIamGateway(createIamClient({ env: io.env }))
}

const CONCURRENCY_FLAG: FlagSpec = {
  name: 'concurrency',
  kind: 'string',
  placeholder: 'N',
  description: 'IAM reads at once (default: settings.concurrency, 8)'
}

function concurrencyOf(flags: ParsedFlags): number | undefined {
  if (flags.concurrency === undefined) return undefined
  const n = Number(flags.concurrency)
  if (!Number.isInteger(n) || n < 1 || n > MAX_CONCURRENCY) {
    throw new UsageError(
      `--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, not "${String(flags.concurrency)}"`
    )
  }
  return n
}

function writePlanErrors(plan: Plan, io: CliIo): void {
  for (const e of plan.errors) {
    const where = e.loc ? `${plan.file}:${e.loc.line}:${e.loc.col}` : plan.file
    io.stderr(`${where}: error: ${e.message}\n`)
  }
}

/**
 * Runs an IAM-backed command with the config file and the gateway its flags
 * name, turning IAM failures into one clear line.
 */
async function withIam(
  flags: ParsedFlags,
  io: CliIo,
  body: (
    file: string,
    options: { iam: IamGateway; concurrency?: number }
  ) => Promise<number>
): Promise<number> {
  const concurrency = concurrencyOf(flags)
  try {
    return await body(flags.config as string, {
      iam: gatewayFor(io),
      ...(concurrency ? { concurrency } : {})
    })
  } catch (error) {
    if (error instanceof IamCallError) {
      io.stderr(`error: ${error.message}\n`)
      return 1
    }
    throw error
  }
}

export { DEFAULT_CONFIG_PATH }

const CONFIG_FLAG: FlagSpec = {
  name: 'config',
  kind: 'string',
  default: DEFAULT_CONFIG_PATH,
  placeholder: 'FILE',
  description: 'the config file'
}
const formatFlag = (values: string[], fallback: string): FlagSpec => ({
  name: 'format',
  kind: 'string',
  values,
  default: fallback,
  description: 'output format'
})
const HELP_FLAG: FlagSpec = {
  name: 'help',
  kind: 'boolean',
  description: 'show this help'
}

interface Command {
  readonly summary: string
  readonly flags: readonly FlagSpec[]
  run(flags: ParsedFlags, io: CliIo): Promise<number>
}

function writeDiagnostics(diagnostics: readonly Diagnostic[], io: CliIo): void {
  for (const d of diagnostics) io.stderr(formatDiagnostic(d) + '\n')
}

const COMMANDS: Record<string, Command> = {
  validate: {
    summary: 'check the config file; errors as FILE:LINE:COL: error: message',
    flags: [CONFIG_FLAG, HELP_FLAG],
    async run(flags, io) {
      const file = flags.config as string
      const { desired, diagnostics } = loadDesiredState(file)
      writeDiagnostics(diagnostics, io)
      if (!desired) {
        const errors = diagnostics.filter(d => d.severity === 'error').length
        io.stderr(
          `${file}: ${errors} error${errors === 1 ? '' : 's'}; nothing was changed\n`
        )
        return 1
      }
      const n = desired.policies.length
      io.stdout(`${file}: valid, ${n} polic${n === 1 ? 'y' : 'ies'}\n`)
      return 0
    }
  },
  render: {
    summary: 'print the IAM policy documents the file renders to',
    flags: [CONFIG_FLAG, formatFlag(['json', 'text'], 'json'), HELP_FLAG],
    async run(flags, io) {
      const { desired, diagnostics } = loadDesiredState(flags.config as string)
      writeDiagnostics(diagnostics, io)
      if (!desired) return 1
      io.stdout(
        flags.format === 'text'
          ? renderedPoliciesText(desired.policies)
          : renderedPoliciesJson(desired.policies)
      )
      return 0
    }
  },
  plan: {
    summary: 'read live IAM and show what apply would change',
    flags: [
      CONFIG_FLAG,
      formatFlag(['text', 'markdown', 'json'], 'text'),
      {
        name: 'detailed-exitcode',
        kind: 'boolean',
        description: 'exit 0 for no changes, 2 for changes, 1 for errors'
      },
      CONCURRENCY_FLAG,
      HELP_FLAG
    ],
    async run(flags, io) {
      return withIam(flags, io, async (file, options) => {
        const run = await planConfigFile(file, options)
        writeDiagnostics(run.diagnostics, io)
        if (!run.plan) return 1
        const { plan } = run
        io.stdout(
          flags.format === 'json'
            ? planJsonText(plan)
            : flags.format === 'markdown'
              ? planMarkdown(plan, {
                  file,
                  ...(run.desired ? { desired: run.desired } : {})
                })
              : planText(plan)
        )
        if (plan.errors.length) {
          writePlanErrors(plan, io)
          return 1
        }
        return flags['detailed-exitcode'] && hasChanges(plan) ? 2 : 0
      })
    }
  },
  apply: {
    summary:
      'make IAM match the file: create, update, attach, then detach and prune',
    flags: [
      CONFIG_FLAG,
      {
        name: 'dry-run',
        kind: 'boolean',
        description: 'print the write calls apply would make, and make none'
      },
      {
        name: 'expect-digest',
        kind: 'string',
        placeholder: 'DIGEST',
        description:
          'refuse unless the fresh plan has this digest (the one that was reviewed)'
      },
      formatFlag(['text', 'json'], 'text'),
      CONCURRENCY_FLAG,
      HELP_FLAG
    ],
    async run(flags, io) {
      return withIam(flags, io, async (file, options) => {
        const report = await applyConfigFile(file, {
          ...options,
          dryRun: flags['dry-run'] === true,
          ...(typeof flags['expect-digest'] === 'string'
            ? { expectDigest: flags['expect-digest'] }
            : {}),
          log: line => io.stderr(`${line}\n`)
        })
        writeDiagnostics(report.diagnostics, io)
        if (report.plan?.errors.length) writePlanErrors(report.plan, io)
        if (report.status === 'digest-mismatch' && report.plan) {
          io.stderr(
            `expected digest ${String(flags['expect-digest'])}, the fresh plan has ${report.plan.digest}:\n`
          )
          io.stderr(planText(report.plan))
        }
        io.stdout(
          flags.format === 'json'
            ? JSON.stringify(applyJson(report), null, 2) + '\n'
            : applyText(report)
        )
        return ['applied', 'no-changes', 'dry-run'].includes(report.status)
          ? 0
          : 1
      })
    }
  }
}

function usage(): string {
  const names = Object.keys(COMMANDS)
  const width = Math.max(...names.map(n => n.length))
  return [
    `${TOOL_NAME} ${TOOL_VERSION}: source-IP allowlists for Amazon SageMaker, as IAM Deny policies`,
    '',
    `usage: ${TOOL_NAME} COMMAND [flags]`,
    '',
    'commands:',
    ...names.map(n => `  ${n.padEnd(width)}  ${COMMANDS[n].summary}`),
    '',
    `Run "${TOOL_NAME} COMMAND --help" for a command's flags.`,
    ''
  ].join('\n')
}

function commandHelp(name: string, command: Command): string {
  return [
    `usage: ${TOOL_NAME} ${name} [flags]`,
    '',
    command.summary,
    '',
    'flags:',
    flagHelp(command.flags),
    ''
  ].join('\n')
}

/** Runs the CLI and returns its exit code. */
export async function main(
  argv: readonly string[],
  io: CliIo
): Promise<number> {
  const [name, ...rest] = argv
  if (
    name === undefined ||
    name === '--help' ||
    name === '-h' ||
    name === 'help'
  ) {
    io.stdout(usage())
    return name === undefined ? 1 : 0
  }
  if (name === '--version') {
    io.stdout(`${TOOL_VERSION}\n`)
    return 0
  }
  const command = COMMANDS[name]
  if (!command) {
    io.stderr(`${TOOL_NAME}: unknown command "${name}"\n\n${usage()}`)
    return 1
  }
  let flags: ParsedFlags
  try {
    flags = parseFlags(rest, command.flags)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.stderr(
      `${TOOL_NAME} ${name}: ${error.message}\n\n${commandHelp(name, command)}`
    )
    return 1
  }
  if (flags.help) {
    io.stdout(commandHelp(name, command))
    return 0
  }
  return command.run(flags, io)
}
