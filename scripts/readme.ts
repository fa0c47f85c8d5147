/**
 * Regenerates the generated parts of README.md, or with --check fails when
 * they are out of date.
 *
 *   npm run readme          # rewrite
 *   npm run readme -- --check
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { renderReadme } from './readme-sections.js'

const current = readFileSync('README.md', 'utf8')
const fresh = renderReadme(current)
if (process.argv.includes('--check')) {
  if (fresh !== current) {
    console.error('README.md is out of date: run npm run readme')
    process.exitCode = 1
  }
} else if (fresh !== current) {
  writeFileSync('README.md', fresh)
  console.log('README.md updated')
}
