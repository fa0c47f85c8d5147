/**
 * Masks every credential the run can see before anything is logged, so
 * the runner replaces them with `***` wherever they would appear.
 */

/** Environment variables that hold AWS credentials. */
export const AWS_SECRET_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN'
] as const

/**
 * Registers the GitHub token and the AWS credentials in `env` with
 * `setSecret` (e.g. `core.setSecret`). Empty values are skipped: masking
 * the empty string would mean nothing.
 */
export function maskSecrets(
  githubToken: string,
  env: Readonly<Record<string, string | undefined>>,
  setSecret: (secret: string) => void
): void {
  const values = [githubToken, ...AWS_SECRET_VARIABLES.map(name => env[name])]
  for (const value of values) {
    if (value !== undefined && value.trim() !== '') setSecret(value)
  }
}
