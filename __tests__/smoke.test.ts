import { describe, expect, it } from '@jest/globals'
import * as core from '@actions/core'
import { TOOL_NAME } from '../src/version.js'

describe('toolchain', () => {
  it('loads ESM-only dependencies', () => {
    expect(typeof core.getInput).toBe('function')
    expect(TOOL_NAME).toBe('sagemaker-ip-allowlist')
  })
})
