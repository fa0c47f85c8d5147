import { TOOL_NAME } from './version.js'

/** Policies carrying this tag under the tool's path are the tool's to manage. */
export const OWNER_TAG_KEY = 'managed-by'
export const OWNER_TAG_VALUE = TOOL_NAME
/** SHA-256 of the meaning of the document the tool last wrote. */
export const DIGEST_TAG_KEY = `${TOOL_NAME}:document-digest`
/** The policy version the tool last wrote, to show what drift overwrites. */
export const VERSION_TAG_KEY = `${TOOL_NAME}:document-version`

export function isOwned(tags: Readonly<Record<string, string>>): boolean {
  return tags[OWNER_TAG_KEY] === OWNER_TAG_VALUE
}

/** The tags of a policy whose document the tool has just written. */
export function ownershipTags(
  digest: string,
  versionId?: string
): Record<string, string> {
  const tags: Record<string, string> = {
    [OWNER_TAG_KEY]: OWNER_TAG_VALUE,
    [DIGEST_TAG_KEY]: digest
  }
  if (versionId) tags[VERSION_TAG_KEY] = versionId
  return tags
}
