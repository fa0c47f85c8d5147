import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import * as core from '@actions/core'
import { TOOL_NAME, TOOL_VERSION } from '../src/version.js'

describe('toolchain', () => {
  it('loads ESM-only dependencies', () => {
    expect(typeof core.getInput).toBe('function')
  })

  it('names the tool and its version as package.json does', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      name: string
      version: string
    }
    expect(TOOL_NAME).toBe(pkg.name)
    expect(TOOL_VERSION).toBe(pkg.version)
  })
})
