/**
 * The plan digest, embedded in the pull request comment where a machine can
 * read it back: a hidden line right after the comment's config marker.
 * Apply with `expect-reviewed-plan` compares it with the fresh plan.
 */

const PREFIX = '<!-- sagemaker-ip-allowlist digest='
const SUFFIX = ' -->'
const DIGEST = /^[0-9a-f]{64}$/

/** The hidden line for this digest. */
export function digestMarker(digest: string): string {
  if (!DIGEST.test(digest)) {
    throw new RangeError(
      `A plan digest is 64 lowercase hex digits; '${digest}' is not one.`
    )
  }
  return `${PREFIX}${digest}${SUFFIX}`
}

/**
 * The digest a stored comment shows, or `undefined` when it shows none.
 * Only the line right after `marker` counts: everything below it is the
 * rendered plan, where text from the file could imitate the line.
 */
export function readDigestMarker(
  stored: string,
  marker: string
): string | undefined {
  const lines = stored.replace(/\r\n/g, '\n').split('\n')
  if (lines[0] !== marker) return undefined
  const line = lines[1] ?? ''
  if (!line.startsWith(PREFIX) || !line.endsWith(SUFFIX)) return undefined
  const digest = line.slice(PREFIX.length, line.length - SUFFIX.length)
  return DIGEST.test(digest) ? digest : undefined
}
