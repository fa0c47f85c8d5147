import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { DEFAULT_CONFIG_PATH as CLI_CONFIG_PATH } from '../../src/cli/main.js'
import {
  DEFAULT_CONFIG_PATH,
  INPUT_DEFAULTS,
  INPUT_NAMES,
  InputError,
  parseInputs,
  readRawInputs,
  type RawInputs
} from '../../src/action/inputs.js'
import { OUTPUT_NAMES } from '../../src/action/outputs.js'

interface ActionYaml {
  name: string
  description: string
  branding: { icon: string; color: string }
  inputs: Record<string, { description?: string; default?: unknown }>
  outputs: Record<string, { description?: string }>
  runs: { using: string; main: string }
}

const action = parseYaml(readFileSync('action.yml', 'utf8')) as ActionYaml

/** Raw inputs as the runner passes them when the workflow sets nothing. */
function raw(overrides: Partial<RawInputs> = {}): RawInputs {
  return {
    config: '',
    mode: '',
    'github-token': 'token-value',
    comment: '',
    'expect-reviewed-plan': '',
    concurrency: '',
    ...overrides
  }
}

describe('action.yml and the code', () => {
  it('declare the same inputs, in the same order', () => {
    expect(Object.keys(action.inputs)).toEqual([...INPUT_NAMES])
  })

  it('declare the same outputs, in the same order', () => {
    expect(Object.keys(action.outputs)).toEqual([...OUTPUT_NAMES])
  })

  it('agree on every default', () => {
    for (const [name, value] of Object.entries(INPUT_DEFAULTS)) {
      expect({ name, value: String(action.inputs[name].default) }).toEqual({
        name,
        value
      })
    }
    expect(action.inputs['github-token'].default).toBe('${{ github.token }}')
  })

  it('describe every input and output', () => {
    for (const entry of [
      ...Object.values(action.inputs),
      ...Object.values(action.outputs)
    ]) {
      expect(entry.description?.length).toBeGreaterThan(10)
    }
  })

  it('runs the bundle on node24, with a name, description and branding', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
    expect(action.name.length).toBeGreaterThan(0)
    expect(action.description.length).toBeGreaterThan(0)
    expect(action.branding).toEqual({
      icon: expect.any(String),
      color: expect.any(String)
    })
  })

  it('uses the CLI default config path', () => {
    expect(DEFAULT_CONFIG_PATH).toBe(CLI_CONFIG_PATH)
  })
})

describe('readRawInputs', () => {
  it('reads each input once, trimmed', () => {
    const asked: string[] = []
    const inputs = readRawInputs(name => {
      asked.push(name)
      return ` ${name}-value `
    })

    expect(asked).toEqual([...INPUT_NAMES])
    expect(inputs.mode).toBe('mode-value')
  })
})

describe('parseInputs', () => {
  it('applies the defaults to empty inputs', () => {
    expect(parseInputs(raw())).toEqual({
      config: '.github/sagemaker-ip-allowlist.yml',
      mode: 'auto',
      githubToken: 'token-value',
      comment: true,
      expectReviewedPlan: false
    })
  })

  it('takes every value given', () => {
    expect(
      parseInputs(
        raw({
          config: 'allowlists/prod.yml',
          mode: 'apply',
          comment: 'False',
          'expect-reviewed-plan': 'TRUE',
          concurrency: '16'
        })
      )
    ).toEqual({
      config: 'allowlists/prod.yml',
      mode: 'apply',
      githubToken: 'token-value',
      comment: false,
      expectReviewedPlan: true,
      concurrency: 16
    })
  })

  it.each([
    [
      { mode: 'deploy' },
      "Input 'mode' is 'deploy'; it accepts 'auto', 'validate', 'plan', 'apply'."
    ],
    [
      { comment: 'yes' },
      "Input 'comment' is 'yes'; it accepts 'true' or 'false'."
    ],
    [
      { 'expect-reviewed-plan': '1' },
      "Input 'expect-reviewed-plan' is '1'; it accepts 'true' or 'false'."
    ]
  ])('refuses %j by name', (overrides, message) => {
    expect(() => parseInputs(raw(overrides))).toThrow(new InputError(message))
  })

  it.each(['0', '65', '2.5', '-1', 'eight', '1e1'])(
    'refuses concurrency %j and says what it accepts',
    concurrency => {
      expect(() => parseInputs(raw({ concurrency }))).toThrow(
        `Input 'concurrency' is '${concurrency}'; it accepts a whole number from 1 to 64, or nothing to use the file's settings.concurrency.`
      )
    }
  )
})
