import { formatDiagnostic, type Diagnostic } from '../config/diagnostics.js'
import { loadDesiredState } from '../desired.js'
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
}

export const DEFAULT_CONFIG_PATH = '.github/sagemaker-ip-allowlist.yml'

const CONFIG_FLAG: FlagSpec = {
  name: 'config',
  kind: 'string',
  default: DEFAULT_CONFIG_PATH,
  placeholder: 'FILE',
  description: 'the config file'
}
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
    flags: [
      CONFIG_FLAG,
      {
        name: 'format',
        kind: 'string',
        values: ['json', 'text'],
        default: 'json',
        description: 'output format'
      },
      HELP_FLAG
    ],
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
