import { toJsonSchema } from './definition.js'

/** The committed schema file's exact text. */
export function schemaText(): string {
  return JSON.stringify(toJsonSchema(), null, 2) + '\n'
}
