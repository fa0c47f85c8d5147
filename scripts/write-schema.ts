/**
 * Writes schema/config.schema.json from the definition the validator uses.
 * A test fails when the committed file is out of date.
 *
 *   npm run schema
 */
import { writeFileSync } from 'node:fs'
import { schemaText } from '../src/config/schema-file.js'

writeFileSync('schema/config.schema.json', schemaText())
console.log('wrote schema/config.schema.json')
