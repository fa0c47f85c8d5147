import { main, type CliIo } from '../src/cli/main.js'

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** Runs the CLI in-process and captures what it prints. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined> = {}
): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: text => void (stdout += text),
    stderr: text => void (stderr += text),
    env
  }
  const code = await main(argv, io)
  return { code, stdout, stderr }
}
